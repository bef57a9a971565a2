using Credit.Domain.Decisions;

namespace Credit.Domain.Tests;

public class RequestFingerprintTests
{
    [Fact]
    public void The_API_s_hex_fingerprints_are_kept_exactly_and_other_text_is_hashed_consistently()
    {
        const string hex = "80E9D3F15FF3AF675D834E49E2A16F6B";
        RequestFingerprint.Of(hex).Value.ShouldBe(UInt128.Parse(hex, System.Globalization.NumberStyles.HexNumber));
        RequestFingerprint.Of(hex).ShouldBe(RequestFingerprint.Of(hex.ToLowerInvariant()));
        RequestFingerprint.Of(hex).ShouldNotBe(RequestFingerprint.Of("80E9D3F15FF3AF675D834E49E2A16F6C"));

        RequestFingerprint.Of("fp-O1").ShouldBe(RequestFingerprint.Of("fp-O1"));
        RequestFingerprint.Of("fp-O1").ShouldNotBe(RequestFingerprint.Of("fp-O2"));
        RequestFingerprint.Of("").ShouldNotBe(default);
    }

    [Fact]
    public void A_repeat_is_recognised_by_its_fingerprint_and_another_body_is_a_duplicate()
    {
        const string fp = "0123456789ABCDEF0123456789ABCDEF";
        Outcome<int>.Again(RequestFingerprint.Of(fp), fp, () => 7).Result.ShouldBe(7);
        Outcome<int>.Again(RequestFingerprint.Of(fp), "0123456789ABCDEF0123456789ABCDEE", () => 7).Rejection!.Code.ShouldBe(ErrorCodes.DuplicateId);
    }
}
