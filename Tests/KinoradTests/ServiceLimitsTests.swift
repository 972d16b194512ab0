import XCTest

@testable import kinorad

final class ServiceLimitsTests: XCTestCase {
    func testReadsKeysCommentsAndSection() throws {
        var limits = ServiceLimits()
        try limits.apply(
            configuration: "# comment\n[kinorad]\nmax-running-jobs = 4\n  max-duration=30.5 # trailing\n\n", file: "k.conf")
        XCTAssertEqual(limits.maxRunningJobs, 4)
        XCTAssertEqual(limits.maxDuration, 30.5)
        XCTAssertEqual(limits.maxJobsPerCaller, ServiceLimits().maxJobsPerCaller, "unset keys keep their defaults")
    }

    func testOutOfRangeNamesFileLineAndRange() {
        var limits = ServiceLimits()
        XCTAssertThrowsError(try limits.apply(configuration: "\nmax-running-jobs = 65\n", file: "k.conf")) { error in
            XCTAssertEqual(
                "\(error)", "k.conf:2: 'max-running-jobs' must be a number from 1 to 64, not '65'")
        }
    }

    func testUnknownKeyAndMalformedLine() {
        var limits = ServiceLimits()
        XCTAssertThrowsError(try limits.apply(configuration: "max-jobz = 1", file: "k.conf")) { error in
            XCTAssertTrue("\(error)".contains("unknown setting 'max-jobz'"))
        }
        XCTAssertThrowsError(try limits.apply(configuration: "max-running-jobs", file: "k.conf")) { error in
            XCTAssertTrue("\(error)".contains("expected 'key = value'"))
        }
        XCTAssertThrowsError(try limits.apply(configuration: "max-duration = lots", file: "k.conf"))
    }

    func testDefaultFileParsesBackToTheDefaults() throws {
        var limits = ServiceLimits()
        limits.maxShots = 3
        try limits.apply(configuration: ServiceLimits.defaultFile, file: "defaults")
        XCTAssertEqual(limits, ServiceLimits())
    }
}
