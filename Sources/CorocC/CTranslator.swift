// Placeholder until the C frontend lands.
import CorocCore
import CClang
