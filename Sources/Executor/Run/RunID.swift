#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Identifiers and timestamps of runs: sortable ids (ULID layout) and RFC 3339 UTC times.
public enum RunClock {
    /// Milliseconds since the Unix epoch, from the system clock.
    public static func nowMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    /// A new run id: 26 Crockford base32 characters, 48 bits of milliseconds then 80
    /// random bits, so ids sort by creation time (`01JD…`).
    public static func newRunID(milliseconds: Int64 = nowMilliseconds()) -> String {
        var generator = SystemRandomNumberGenerator()
        return newRunID(milliseconds: milliseconds, using: &generator)
    }

    /// A run id from the given time and random source.
    public static func newRunID(milliseconds: Int64, using generator: inout some RandomNumberGenerator) -> String {
        let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)
        var out: [UInt8] = []
        let time = UInt64(max(0, milliseconds)) & 0xFFFF_FFFF_FFFF
        for shift in stride(from: 45, through: 0, by: -5) {
            out.append(alphabet[Int((time >> UInt64(shift)) & 31)])
        }
        let high = generator.next() & 0xFF_FFFF_FFFF
        let low = generator.next() & 0xFF_FFFF_FFFF
        for value in [high, low] {
            for shift in stride(from: 35, through: 0, by: -5) {
                out.append(alphabet[Int((value >> UInt64(shift)) & 31)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `2026-11-25T20:41:07.123Z` for the given epoch milliseconds.
    public static func timestamp(milliseconds: Int64 = nowMilliseconds()) -> String {
        let millis = Int(((milliseconds % 1000) + 1000) % 1000)
        var seconds = (milliseconds - Int64(millis)) / 1000
        let days = Int((seconds >= 0 ? seconds : seconds - 86_399) / 86_400)
        seconds -= Int64(days) * 86_400
        let (year, month, day) = civil(fromDays: days)
        let hour = Int(seconds / 3600)
        let minute = Int(seconds % 3600 / 60)
        let second = Int(seconds % 60)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2)).\(pad(millis, 3))Z"
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// Year, month, day of a count of days since 1970-01-01 (Howard Hinnant's algorithm).
    private static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}
