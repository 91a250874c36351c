// Placeholder until the Swift frontend lands.
import CorocCore
import SwiftParser
