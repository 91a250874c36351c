import Testing
@testable import CorocDriver
