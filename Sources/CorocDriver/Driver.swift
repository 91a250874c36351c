// Placeholder until the driver lands.
import CorocCore
