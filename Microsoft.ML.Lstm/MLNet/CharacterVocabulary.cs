using System.Text;
using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// The characters a tagger's character encoder knows, each with an id: built at training from the text of the
/// training tokens, saved with the model, and used to spell each token when scoring. A character is a Unicode
/// scalar value (a <see cref="Rune"/>), so an emoji is one character, not two UTF-16 halves.
/// </summary>
/// <remarks>
/// Id 0 is the unknown character: any character the training tokens did not hold (or that the cap left out), and
/// the one character of an empty token. The known characters take ids 1, 2, … from the most frequent down (ties by
/// code point), so the encoder's embedding has <see cref="Size"/> = known characters + 1 rows. At most
/// <see cref="MaxKnownCharacters"/> are kept: a corpus in a Latin or Cyrillic script uses a few hundred, and the
/// rare ones beyond the cap (stray symbols, scripts met once) are better read as unknown than learned from a handful
/// of occurrences.
/// </remarks>
internal sealed class CharacterVocabulary : IEquatable<CharacterVocabulary>
{
    /// <summary>Most distinct characters kept, by frequency.</summary>
    public const int MaxKnownCharacters = 1000;

    /// <summary>The id of a character the vocabulary does not know.</summary>
    public const int UnknownId = 0;

    private readonly int[] codePoints;           // [known] the code point of ids 1, 2, …
    private readonly Dictionary<int, int> ids;   // code point → id

    private CharacterVocabulary(int[] codePoints)
    {
        this.codePoints = codePoints;
        ids = new Dictionary<int, int>(codePoints.Length);
        for (int i = 0; i < codePoints.Length; i++)
            ids.Add(codePoints[i], i + 1);
    }

    /// <summary>Known characters (ids 1 to this).</summary>
    public int KnownCount => codePoints.Length;

    /// <summary>Ids in all, the unknown character's included: the rows of the character embedding.</summary>
    public int Size => codePoints.Length + 1;

    /// <summary>The known characters, by id − 1.</summary>
    public IEnumerable<Rune> Characters => codePoints.Select(codePoint => new Rune(codePoint));

    /// <summary>
    /// The vocabulary of the characters <paramref name="counts"/> holds (code point → occurrences): the
    /// <paramref name="maxKnown"/> most frequent, ties by code point.
    /// </summary>
    public static CharacterVocabulary FromCounts(IReadOnlyDictionary<int, long> counts, int maxKnown = MaxKnownCharacters)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentOutOfRangeException.ThrowIfNegative(maxKnown);
        int[] kept = [.. counts.OrderByDescending(pair => pair.Value).ThenBy(pair => pair.Key).Take(maxKnown).Select(pair => pair.Key)];
        return new CharacterVocabulary(kept);
    }

    /// <summary>Adds the characters of <paramref name="token"/> to <paramref name="counts"/>.</summary>
    public static void Count(ReadOnlySpan<char> token, Dictionary<int, long> counts)
    {
        foreach (Rune character in token.EnumerateRunes())
        {
            ref long count = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, character.Value, out _);
            count++;
        }
    }

    /// <summary>The id of <paramref name="character"/>; <see cref="UnknownId"/> when it is not known.</summary>
    public int IdOf(Rune character) => ids.TryGetValue(character.Value, out int id) ? id : UnknownId;

    /// <summary>The ids of <paramref name="token"/>'s characters; an empty token is one unknown character.</summary>
    public int[] Encode(ReadOnlySpan<char> token)
    {
        int length = 0;
        foreach (Rune _ in token.EnumerateRunes())
            length++;
        if (length == 0)
            return [UnknownId];
        var encoded = new int[length];
        int i = 0;
        foreach (Rune character in token.EnumerateRunes())
            encoded[i++] = IdOf(character);
        return encoded;
    }

    /// <summary>Writes the vocabulary: count · each known character's code point, in id order.</summary>
    public void Write(ModelSectionWriter section)
    {
        section.WriteInt32(codePoints.Length);
        foreach (int codePoint in codePoints)
            section.WriteInt32(codePoint);
    }

    /// <summary>Reads what <see cref="Write"/> wrote (the section may go on after it).</summary>
    /// <exception cref="InvalidDataException">The count is out of range, a character is not a Unicode scalar value, or one is given twice.</exception>
    public static CharacterVocabulary Read(ModelSectionReader section)
    {
        int count = section.ReadCount("known characters", MaxKnownCharacters, sizeof(int));
        var codePoints = new int[count];
        var seen = new HashSet<int>(count);
        for (int i = 0; i < count; i++)
        {
            int codePoint = section.ReadInt32("a character's code point", 0, 0x10FFFF);
            if (!Rune.IsValid(codePoint))
                throw new InvalidDataException($"The model file's section '{section.Name}' is malformed: character {i + 1} is U+{codePoint:X4}, not a Unicode scalar value.");
            if (!seen.Add(codePoint))
                throw new InvalidDataException($"The model file's section '{section.Name}' is malformed: it holds character U+{codePoint:X4} twice.");
            codePoints[i] = codePoint;
        }
        return new CharacterVocabulary(codePoints);
    }

    /// <summary>Whether both know the same characters under the same ids.</summary>
    public bool Equals(CharacterVocabulary? other) => other is not null && codePoints.AsSpan().SequenceEqual(other.codePoints);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as CharacterVocabulary);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(codePoints.Length, codePoints.Length > 0 ? codePoints[0] : -1);
}
