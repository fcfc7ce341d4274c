import AdapterKit
import Testing

@Suite("Percent-encoding for URL paths and queries")
struct PercentEncodingTests {
    @Test("unreserved characters stay; spaces, slashes, brackets and non-ASCII bytes are encoded")
    func encode() {
        #expect(PercentEncoding.encode("AZaz09-._~") == "AZaz09-._~")
        #expect(PercentEncoding.encode("a b/[x]é+&=") == "a%20b%2F%5Bx%5D%C3%A9%2B%26%3D")
        #expect(PercentEncoding.encode("") == "")
    }

    @Test("queries encode both sides of each pair, so a value cannot add a parameter")
    func query() {
        #expect(PercentEncoding.query([("k", "v"), ("a b", "1&evil=2")]) == "k=v&a%20b=1%26evil%3D2")
        #expect(PercentEncoding.query([]) == "")
    }

    @Test("decode is the inverse for query values (+ is a space); a cut or non-hex escape or invalid UTF-8 is nil")
    func decode() {
        let text = "a b/[x]é+&="
        #expect(PercentEncoding.decode(Substring(PercentEncoding.encode(text))) == text)
        #expect(PercentEncoding.decode("a%2Bb+c") == "a+b c")
        #expect(PercentEncoding.decode("%4") == nil)
        #expect(PercentEncoding.decode("%zz") == nil)
        #expect(PercentEncoding.decode("%FF") == nil)
    }
}
