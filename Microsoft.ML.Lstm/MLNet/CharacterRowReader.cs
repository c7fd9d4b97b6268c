using Microsoft.ML.Data;
using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// Reads the tokens' text of the row a cursor is on into what a spelling network reads beside the token ids: each
/// kept token's character ids and, when the network reads them, its <see cref="WordShape"/> values. The companion of
/// <see cref="SequenceRowReader"/>, which owns it, so training and scoring read characters alike.
/// </summary>
/// <remarks>
/// A row fails, naming both columns, the row and what was expected, when its text vector is not exactly as long as its
/// token vector. An empty (or missing) text is one unknown character. Each row's character arrays are new (the
/// network's batch takes them as they are); the word-shape buffer is reused.
/// </remarks>
internal sealed class CharacterRowReader
{
    private readonly DataViewRow row;
    private readonly DataViewSchema.Column column;
    private readonly SequenceCharacters characters;
    private readonly string tokenColumnName;
    private readonly string rowSuffix;
    private readonly ValueGetter<VBuffer<ReadOnlyMemory<char>>> getTexts;
    private VBuffer<ReadOnlyMemory<char>> texts;
    private int[][] characterIds = [];
    private float[] shapes = [];
    private int steps;

    /// <summary>A reader of <paramref name="column"/> on <paramref name="row"/>'s cursor.</summary>
    /// <param name="row">The row (usually a cursor) whose current text <see cref="Read"/> reads.</param>
    /// <param name="column">The character column: a vector of text.</param>
    /// <param name="characters">The characters the network knows and whether it reads word shapes.</param>
    /// <param name="tokenColumnName">The feature column of the token keys, named in messages.</param>
    /// <param name="rowSuffix">" of the training data", or empty when scoring.</param>
    public CharacterRowReader(DataViewRow row, DataViewSchema.Column column, SequenceCharacters characters, string tokenColumnName, string rowSuffix)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(characters);
        if (!CharacterColumn.HoldsText(column.Type))
            throw new ArgumentOutOfRangeException(nameof(column), $"Character column '{column.Name}' is {column.Type}; expected {CharacterColumn.Expected}.");
        this.row = row;
        this.column = column;
        this.characters = characters;
        this.tokenColumnName = tokenColumnName;
        this.rowSuffix = rowSuffix;
        getTexts = row.GetGetter<VBuffer<ReadOnlyMemory<char>>>(column);
    }

    /// <summary>The kept tokens' character ids [steps][characters] of the current row; valid until the next <see cref="Read"/>.</summary>
    public int[][] Characters => characterIds;

    /// <summary>The kept tokens' word shapes [steps·4], step-major, or null when the network reads none; valid until the next <see cref="Read"/>.</summary>
    public ReadOnlySpan<float> Shapes => characters.WordShapes ? shapes.AsSpan(0, steps * WordShape.FeatureCount) : ReadOnlySpan<float>.Empty;

    /// <summary>Whether the network reads word shapes.</summary>
    public bool ReadsShapes => characters.WordShapes;

    /// <summary>Reads the current row's text for its <paramref name="rowSteps"/> tokens, of which the first <paramref name="keptSteps"/> are kept.</summary>
    /// <exception cref="InvalidOperationException">The row holds a different number of texts than tokens.</exception>
    public void Read(int rowSteps, int keptSteps)
    {
        getTexts(ref texts);
        if (texts.Length != rowSteps)
        {
            throw new InvalidOperationException(
                $"Column '{column.Name}', row {row.Position}{rowSuffix}: {Count(texts.Length, "text")} for the {Count(rowSteps, "token")} of column '{tokenColumnName}'; " +
                $"expected the text of each token, one per token.");
        }
        CharacterVocabulary vocabulary = characters.Vocabulary;
        var ids = new int[keptSteps][];
        if (characters.WordShapes)
            Workspace.EnsureBounded(ref shapes, keptSteps * WordShape.FeatureCount, SequencePredictor.RetainedSteps * WordShape.FeatureCount);
        if (rowSteps == 0 && keptSteps == 1)
        {
            // A blank row read when scoring: its one unknown token is spelled as an empty word.
            ids[0] = vocabulary.Encode([]);
            if (characters.WordShapes)
                WordShape.Write([], shapes.AsSpan(0, WordShape.FeatureCount));
        }
        int step = 0;
        foreach (ReadOnlyMemory<char> text in texts.DenseValues())
        {
            if (step == keptSteps)
                break;
            ids[step] = vocabulary.Encode(text.Span);
            if (characters.WordShapes)
                WordShape.Write(text.Span, shapes.AsSpan(step * WordShape.FeatureCount, WordShape.FeatureCount));
            step++;
        }
        characterIds = ids;
        steps = keptSteps;
        if (rowSteps > SequencePredictor.RetainedSteps)
            texts = default;
    }

    /// <summary>"1 text", "5 tokens".</summary>
    private static string Count(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
