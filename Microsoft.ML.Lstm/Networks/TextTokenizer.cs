using System.Globalization;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// Turns raw text into words the way a <see cref="TextVocabulary"/> was built with: normalization (case folding, as
/// ML.NET's <c>NormalizeText</c> does with its default <c>CaseMode.Lower</c>) and a split into words and punctuation.
/// </summary>
/// <remarks>
/// <para>A word is a run of letters, digits and combining marks; an apostrophe (' or ’) between two such characters
/// stays inside it, so "don't" and "it's" are one word each. Every other character that is not white space is
/// punctuation: one token per character with <see cref="KeepPunctuation"/>, dropped without it. So "Great, isn't it?!"
/// is <c>great · isn't · it</c>, or <c>great · , · isn't · it · ? · !</c> with punctuation kept. With
/// <see cref="Lowercase"/>, each character is folded by <see cref="char.ToLowerInvariant"/> (culture-independent, so a
/// model scores the same on every machine).</para>
/// <para>ONNX export writes the same split as a regular expression (<c>SequenceOnnxInput.TokenPattern</c>): a change
/// here changes it there, and the export test over every character of the Basic Multilingual Plane says so.</para>
/// <para>Tokenizing allocates nothing: <see cref="Normalize"/> writes into the caller's buffer and <see cref="Tokens"/>
/// enumerates slices of it.</para>
/// </remarks>
/// <param name="Lowercase">Whether text is folded to lower case before it is split.</param>
/// <param name="KeepPunctuation">Whether punctuation marks are tokens (one per character) or dropped.</param>
internal sealed record TextTokenizer(bool Lowercase, bool KeepPunctuation)
{
    /// <summary>Writes <paramref name="text"/>, normalized, into <paramref name="destination"/> (at least as long as the text).</summary>
    /// <returns>The normalized text: the first <c>text.Length</c> characters of <paramref name="destination"/>.</returns>
    public Span<char> Normalize(ReadOnlySpan<char> text, Span<char> destination)
    {
        Span<char> normalized = destination[..text.Length];
        if (Lowercase)
        {
            // Runs of ASCII are folded many characters at a time (the same as char.ToLowerInvariant there: A–Z become
            // a–z, nothing else changes); each other character alone.
            int done = 0;
            while (done < text.Length)
            {
                System.Text.Ascii.ToLower(text[done..], normalized[done..], out int folded);
                done += folded;
                if (done < text.Length)
                {
                    normalized[done] = char.ToLowerInvariant(text[done]);
                    done++;
                }
            }
        }
        else
        {
            text.CopyTo(normalized);
        }
        return normalized;
    }

    /// <summary>The tokens of <paramref name="normalized"/> text (what <see cref="Normalize"/> wrote), in order.</summary>
    public TokenEnumerator Tokens(ReadOnlySpan<char> normalized) => new(normalized, KeepPunctuation);

    /// <summary>The tokens of <paramref name="text"/> as new strings: a convenience for cold code and tests.</summary>
    public List<string> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var buffer = new char[text.Length];
        var tokens = new List<string>();
        foreach (ReadOnlySpan<char> token in Tokens(Normalize(text, buffer)))
            tokens.Add(token.ToString());
        return tokens;
    }

    /// <summary>A short description for the log: "lower-cased, punctuation dropped".</summary>
    public string Describe() => $"{(Lowercase ? "lower-cased" : "case kept")}, punctuation {(KeepPunctuation ? "kept" : "dropped")}";

    /// <summary>A letter, digit or combining mark: what words are made of.</summary>
    internal static bool IsWordCharacter(char character)
    {
        if (char.IsAscii(character))
            return char.IsAsciiLetterOrDigit(character); // ASCII holds no combining mark or surrogate
        if (char.IsLetterOrDigit(character))
            return true;
        UnicodeCategory category = char.GetUnicodeCategory(character);
        // Combining marks (accents written as separate code points) and the halves of a surrogate pair (letters
        // outside the Basic Multilingual Plane, emoji) stay inside the word they are written in.
        return category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark
            or UnicodeCategory.Surrogate;
    }

    private static bool IsApostrophe(char character) => character is '\'' or '\u2019';

    /// <summary>Enumerates the tokens of a normalized text as slices of it; <c>foreach</c> over it allocates nothing.</summary>
    public ref struct TokenEnumerator
    {
        private readonly ReadOnlySpan<char> text;
        private readonly bool keepPunctuation;
        private int position;

        internal TokenEnumerator(ReadOnlySpan<char> text, bool keepPunctuation)
        {
            this.text = text;
            this.keepPunctuation = keepPunctuation;
            Current = default;
        }

        /// <summary>The current token.</summary>
        public ReadOnlySpan<char> Current { get; private set; }

        /// <summary>Returns itself, for <c>foreach</c>.</summary>
        public readonly TokenEnumerator GetEnumerator() => this;

        /// <summary>Moves to the next token; false at the end of the text.</summary>
        public bool MoveNext()
        {
            while (position < text.Length)
            {
                char character = text[position];
                if (IsWordCharacter(character))
                {
                    int start = position++;
                    while (position < text.Length
                        && (IsWordCharacter(text[position])
                            || (IsApostrophe(text[position]) && position + 1 < text.Length && IsWordCharacter(text[position + 1]))))
                    {
                        position++;
                    }
                    Current = text[start..position];
                    return true;
                }
                position++;
                if (keepPunctuation && !char.IsWhiteSpace(character) && !char.IsControl(character))
                {
                    Current = text.Slice(position - 1, 1);
                    return true;
                }
            }
            Current = default;
            return false;
        }
    }
}
