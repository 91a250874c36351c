import Testing
@testable import CorocC
