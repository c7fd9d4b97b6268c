using System.Runtime.InteropServices;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// The words a network reads from raw text, each with a token id, and the <see cref="TextTokenizer"/> that splits text
/// into them: built from the training texts (<see cref="Builder"/>), saved with the model, and used to turn each text
/// into token ids when training and scoring alike.
/// </summary>
/// <remarks>
/// <para>Word i has token id i; every other word (one the training texts did not hold, or that the minimum count or
/// the size cap left out) is the unknown token, id <see cref="UnknownId"/> = <see cref="Count"/>, so an embedding over
/// the vocabulary has <see cref="Count"/> + 1 rows, as for keys from <c>MapValueToKey</c> (whose missing key 0 is the
/// same unknown row). Words are ordered by how often the training texts hold them, most frequent first, ties in
/// ordinal order, so the same texts give the same ids.</para>
/// <para>Turning a text into ids (<see cref="Encode"/>) allocates nothing once its buffers have grown: the words are
/// looked up by span.</para>
/// </remarks>
internal sealed class TextVocabulary : IEquatable<TextVocabulary>
{
    /// <summary>Longest word a model file may hold, in UTF-8 bytes.</summary>
    public const int MaxWordBytes = 1 << 16;

    /// <summary>Most words a vocabulary may hold: one embedding row is kept for the unknown token.</summary>
    public const int MaxCount = EncoderSpec.MaxVocabularySize - 1;

    private readonly string[] words;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> ids;

    private TextVocabulary(TextTokenizer tokenizer, string[] words)
    {
        Tokenizer = tokenizer;
        this.words = words;
        var byWord = new Dictionary<string, int>(words.Length, StringComparer.Ordinal);
        for (int i = 0; i < words.Length; i++)
            byWord.Add(words[i], i);
        ids = byWord.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>How text is normalized and split into words.</summary>
    public TextTokenizer Tokenizer { get; }

    /// <summary>Known words: token ids 0 to <see cref="Count"/> − 1.</summary>
    public int Count => words.Length;

    /// <summary>The token id of every word the vocabulary does not know.</summary>
    public int UnknownId => words.Length;

    /// <summary>The known words, by token id.</summary>
    public IReadOnlyList<string> Words => words;

    /// <summary>The token id of <paramref name="word"/> (normalized as the tokenizer does); <see cref="UnknownId"/> when it is not known.</summary>
    public int IdOf(ReadOnlySpan<char> word) => ids.TryGetValue(word, out int id) ? id : UnknownId;

    /// <summary>
    /// Normalizes and splits <paramref name="text"/> and writes the token id of each word into <paramref name="tokenIds"/>,
    /// which grows as needed; <paramref name="normalizeBuffer"/> is the normalized text's workspace.
    /// </summary>
    /// <returns>The number of words the text holds (0 for a blank text, or one of punctuation alone when it is dropped).</returns>
    public int Encode(ReadOnlySpan<char> text, ref char[] normalizeBuffer, ref int[] tokenIds)
    {
        Span<char> normalized = Tokenizer.Normalize(text, Workspace.Ensure(ref normalizeBuffer, text.Length));
        int count = 0;
        foreach (ReadOnlySpan<char> word in Tokenizer.Tokens(normalized))
        {
            if (count == tokenIds.Length)
                Array.Resize(ref tokenIds, Math.Max(16, tokenIds.Length * 2));
            tokenIds[count++] = IdOf(word);
        }
        return count;
    }

    /// <summary>Writes the tokenizer and the words: lower case · keep punctuation · count · each word, in id order.</summary>
    public void Write(ModelSectionWriter section)
    {
        section.WriteBoolean(Tokenizer.Lowercase);
        section.WriteBoolean(Tokenizer.KeepPunctuation);
        section.WriteInt32(words.Length);
        foreach (string word in words)
            section.WriteString(word);
    }

    /// <summary>Reads what <see cref="Write"/> wrote, to the section's end.</summary>
    /// <exception cref="InvalidDataException">The section is malformed: a count out of range, an empty word, or a word given twice.</exception>
    public static TextVocabulary Read(ModelSectionReader section)
    {
        var tokenizer = new TextTokenizer(section.ReadBoolean("lower case"), section.ReadBoolean("keep punctuation"));
        int count = section.ReadCount("words", MaxCount, sizeof(int));
        var words = new string[count];
        var seen = new HashSet<string>(count, StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            string word = section.ReadString("a word", MaxWordBytes);
            if (word.Length == 0)
                throw new InvalidDataException($"The model file's section '{section.Name}' is malformed: word {i} is empty.");
            if (!seen.Add(word))
                throw new InvalidDataException($"The model file's section '{section.Name}' is malformed: it holds the word '{word}' twice.");
            words[i] = word;
        }
        section.ExpectEnd();
        return new TextVocabulary(tokenizer, words);
    }

    /// <summary>Whether both split text the same way and know the same words under the same ids.</summary>
    public bool Equals(TextVocabulary? other) =>
        other is not null && Tokenizer == other.Tokenizer && words.AsSpan().SequenceEqual(other.words);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as TextVocabulary);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Tokenizer, words.Length, words.Length > 0 ? words[0] : null);

    /// <summary>
    /// Counts the words of the training texts, then keeps those seen at least a minimum number of times, at most a
    /// maximum number of them, the most frequent first.
    /// </summary>
    public sealed class Builder(TextTokenizer tokenizer)
    {
        private readonly Dictionary<string, long> counts = new(StringComparer.Ordinal);
        private char[] normalizeBuffer = [];

        /// <summary>How the texts are split.</summary>
        public TextTokenizer Tokenizer { get; } = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));

        /// <summary>Distinct words counted so far.</summary>
        public int DistinctWords => counts.Count;

        /// <summary>Counts the words of <paramref name="text"/>.</summary>
        /// <returns>How many words the text holds (0 for a blank text).</returns>
        public int Add(ReadOnlySpan<char> text)
        {
            var lookup = counts.GetAlternateLookup<ReadOnlySpan<char>>();
            int words = 0;
            foreach (ReadOnlySpan<char> word in Tokenizer.Tokens(Tokenizer.Normalize(text, Workspace.Ensure(ref normalizeBuffer, text.Length))))
            {
                // A word seen before is counted without allocating; only a new word becomes a string.
                ref long count = ref CollectionsMarshal.GetValueRefOrAddDefault(lookup, word, out _);
                count++;
                words++;
            }
            return words;
        }

        /// <summary>
        /// The vocabulary of the words counted at least <paramref name="minimumCount"/> times, the
        /// <paramref name="maximumSize"/> most frequent of them (0: no cap; never more than <see cref="MaxCount"/>).
        /// </summary>
        public TextVocabulary Build(int minimumCount, int maximumSize)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(minimumCount, 1);
            ArgumentOutOfRangeException.ThrowIfNegative(maximumSize);
            int cap = maximumSize == 0 ? MaxCount : Math.Min(maximumSize, MaxCount);
            string[] kept = [.. counts
                .Where(pair => pair.Value >= minimumCount)
                .OrderByDescending(pair => pair.Value)
                .ThenBy(pair => pair.Key, StringComparer.Ordinal)
                .Take(cap)
                .Select(pair => pair.Key)];
            return new TextVocabulary(Tokenizer, kept);
        }
    }
}
