using System.Text;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// What a token's spelling says beside its characters, as four 0/1 values per token: the case pattern a lower-cased
/// word vector loses, and the digits and punctuation that mark numbers, dates, handles and URLs.
/// </summary>
/// <remarks>
/// <code>
/// [0] first letter upper case   the first character is an upper-case letter ("Paris", "McDonald", "X-ray")
/// [1] all upper case            an upper-case letter and no lower-case one ("NATO", "U.S.", "B2B")
/// [2] contains a digit          "2017", "A4", "3rd"
/// [3] contains punctuation      "U.S.", "@user", "#tag", "e-mail", "http://…"
/// </code>
/// Case is Unicode's (<see cref="Rune.IsUpper"/>, <see cref="Rune.IsLower"/>: a script without case, such as Chinese,
/// gives 0 for both case values), digits are decimal digits (<see cref="Rune.IsDigit"/>) and punctuation is Unicode's
/// punctuation categories (<see cref="Rune.IsPunctuation"/>; '@' and '#' are among them).
/// </remarks>
internal static class WordShape
{
    /// <summary>Values per token.</summary>
    public const int FeatureCount = 4;

    /// <summary>Writes the <see cref="FeatureCount"/> shape values of <paramref name="token"/> into <paramref name="features"/>.</summary>
    public static void Write(ReadOnlySpan<char> token, Span<float> features)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features.Length, FeatureCount);
        bool first = true, firstUpper = false, anyUpper = false, anyLower = false, anyDigit = false, anyPunctuation = false;
        foreach (Rune character in token.EnumerateRunes())
        {
            if (first)
            {
                firstUpper = Rune.IsUpper(character);
                first = false;
            }
            anyUpper |= Rune.IsUpper(character);
            anyLower |= Rune.IsLower(character);
            anyDigit |= Rune.IsDigit(character);
            anyPunctuation |= Rune.IsPunctuation(character);
        }
        features[0] = firstUpper ? 1 : 0;
        features[1] = anyUpper && !anyLower ? 1 : 0;
        features[2] = anyDigit ? 1 : 0;
        features[3] = anyPunctuation ? 1 : 0;
    }
}
