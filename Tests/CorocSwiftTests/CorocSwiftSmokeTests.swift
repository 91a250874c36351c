import Testing
@testable import CorocSwift
