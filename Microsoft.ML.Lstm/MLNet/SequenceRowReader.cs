using Microsoft.ML.Data;
using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// Reads the sequence of the row a cursor is on into what the network runs on, checking it: the one row
/// reader of training (the trainers' examples) and scoring (the transformers' mapper).
/// </summary>
/// <remarks>
/// <para>Token keys become token ids: key k is token k − 1, and the missing key 0 (a word <c>MapValueToKey</c> did
/// not know) is the unknown token <c>TokenKeyCount</c>, the embedding's last row. Float values are steps of
/// <c>FeaturesPerStep</c> values, step after step, each feature standardized with the training data's mean and standard
/// deviation when the reader is given them (after the check that it is finite).</para>
/// <para>While training, a row fails, naming the column, the row and what was expected, when its sequence is empty,
/// its float values are not a whole number of steps, a kept value is not finite, or a kept key is out of range. Only
/// the first <c>MaxSequenceLength</c> steps are kept (0 keeps all), exactly as in training.</para>
/// <para>When scoring (no set name), a bad row scores instead of failing the cursor, so that one row cannot bring a
/// scoring service down: an empty sequence reads as one step, the unknown token for keys and a step of the training
/// means (0 after standardization) for floats, with <see cref="RowSteps"/> 0 so that a per-step head gives no steps;
/// a key above the key count reads as the unknown token, as the missing key 0 does; a value that is not finite reads
/// as its feature's training mean (0 after standardization). Only what a miswired pipeline can cause still fails: float
/// values that are not a whole number of steps, a character column of another length than the token column.</para>
/// <para>A text column (with a <see cref="TextVocabulary"/>) is normalized and split into words, each read as its
/// token id, an unknown word as the unknown token. A text that holds no word (blank, or punctuation alone when it
/// is dropped) fails in training, naming the column and the row; when scoring it is an empty sequence, read as one
/// unknown token as above, so it gets the prediction of a text whose every word is unknown.</para>
/// <para>For a network that spells its tokens, a <see cref="CharacterRowReader"/> reads the tokens' text column of the
/// same row with each <see cref="Read"/>: the characters and word shapes go into <see cref="ToExample"/> and
/// <see cref="Predict(SequenceModel, Span{float})"/> beside the token ids.</para>
/// <para>The buffers are reused, so a warm <see cref="Read"/> allocates nothing (beyond each token's character ids, when
/// it reads characters); a buffer that grew past <see cref="SequencePredictor.RetainedSteps"/> steps for a long row is
/// dropped at the next shorter one. One reader per cursor; not thread-safe.</para>
/// </remarks>
internal sealed class SequenceRowReader
{
    private readonly DataViewRow row;
    private readonly DataViewSchema.Column column;
    private readonly SequenceInput input;
    private readonly int maxSequenceLength;
    private readonly string rowSuffix;
    private readonly bool scoring;
    private readonly ValueGetter<VBuffer<uint>>? getKeys;
    private readonly ValueGetter<VBuffer<float>>? getValues;
    private readonly ValueGetter<ReadOnlyMemory<char>>? getText;
    private readonly TextVocabulary? vocabulary;
    private ReadOnlyMemory<char> text;
    private char[] normalizeBuffer = [];
    private readonly CharacterRowReader? characters;
    private readonly Standardization? scaling;
    private VBuffer<uint> keys;
    private VBuffer<float> values;
    private int[] tokens = [];
    private float[] features = [];

    /// <summary>A reader of <paramref name="column"/> on <paramref name="row"/>'s cursor.</summary>
    /// <param name="row">The row (usually a cursor) whose current sequence <see cref="Read"/> reads.</param>
    /// <param name="column">The feature column; of the type <paramref name="input"/> describes.</param>
    /// <param name="input">What the column holds.</param>
    /// <param name="maxSequenceLength">Steps kept from the start of a longer sequence; 0 keeps all.</param>
    /// <param name="setName">"training" or "validation" while training, named in messages; null when scoring.</param>
    /// <param name="characterColumn">The column of the tokens' text, for a network that spells its tokens; with <paramref name="characters"/>.</param>
    /// <param name="characters">What the network reads of that text; null for a network that reads the feature column alone.</param>
    /// <param name="scaling">The standardization of each float step's features; null reads them as they are.</param>
    /// <param name="vocabulary">For a text column, the words it is read as (<paramref name="input"/> is then its token keys); null for keys and floats.</param>
    public SequenceRowReader(
        DataViewRow row, DataViewSchema.Column column, SequenceInput input, int maxSequenceLength, string? setName = null,
        DataViewSchema.Column? characterColumn = null, SequenceCharacters? characters = null, Standardization? scaling = null,
        TextVocabulary? vocabulary = null)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentOutOfRangeException.ThrowIfNegative(maxSequenceLength);
        input.Validate();
        this.row = row;
        this.column = column;
        this.input = input;
        this.maxSequenceLength = maxSequenceLength;
        rowSuffix = setName is null ? "" : $" of the {setName} data";
        scoring = setName is null;
        if (vocabulary is not null)
        {
            if (input.Kind != SequenceInputKind.Tokens || input.TokenKeyCount != (ulong)vocabulary.Count)
                throw new ArgumentException($"The vocabulary of '{column.Name}' holds {vocabulary.Count} words; expected token keys of as many.", nameof(vocabulary));
            this.vocabulary = vocabulary;
            getText = row.GetGetter<ReadOnlyMemory<char>>(column);
        }
        else if (input.Kind == SequenceInputKind.Tokens)
            getKeys = row.GetGetter<VBuffer<uint>>(column);
        else
            getValues = row.GetGetter<VBuffer<float>>(column);
        if ((characterColumn is null) != (characters is null))
            throw new ArgumentException("A character column and what the network reads of it come together.", nameof(characters));
        if (characters is not null)
        {
            if (input.Kind != SequenceInputKind.Tokens)
                throw new ArgumentException($"The character column '{characters.ColumnName}' spells tokens, but '{column.Name}' holds numeric steps.", nameof(characters));
            this.characters = new CharacterRowReader(row, characterColumn!.Value, characters, column.Name, rowSuffix);
        }
        if (scaling is not null && (input.Kind != SequenceInputKind.Features || scaling.Count != input.FeaturesPerStep))
            throw new ArgumentException($"The standardization of '{column.Name}' holds {scaling.Count} features; expected one per feature of a float step.", nameof(scaling));
        this.scaling = scaling;
    }

    /// <summary>What the column holds.</summary>
    public SequenceInput Input => input;

    /// <summary>Steps the current row holds, before <c>MaxSequenceLength</c> cuts it; 0 for a blank row read when scoring.</summary>
    public int RowSteps { get; private set; }

    /// <summary>Steps kept of the current row: what the network reads.</summary>
    public int Steps { get; private set; }

    /// <summary>The kept token ids of the current row [<see cref="Steps"/>]; valid until the next <see cref="Read"/>.</summary>
    public ReadOnlySpan<int> Tokens => tokens.AsSpan(0, input.Kind == SequenceInputKind.Tokens ? Steps : 0);

    /// <summary>The kept values of the current row [<see cref="Steps"/>·FeaturesPerStep], step-major; valid until the next <see cref="Read"/>.</summary>
    public ReadOnlySpan<float> Features => features.AsSpan(0, input.Kind == SequenceInputKind.Features ? Steps * input.FeaturesPerStep : 0);

    /// <summary>Reads and checks the sequence of the row the cursor is on.</summary>
    /// <exception cref="InvalidOperationException">The sequence is empty or holds a value the network cannot read.</exception>
    public void Read()
    {
        if (getText is not null)
            ReadText(getText);
        else if (getKeys is not null)
            ReadTokens(getKeys);
        else
            ReadFeatures(getValues!);
        characters?.Read(RowSteps, Steps);
    }

    /// <summary>The current row as a training example with <paramref name="targets"/>; copies the sequence.</summary>
    public SequenceExample ToExample(float[] targets)
    {
        if (input.Kind == SequenceInputKind.Features)
            return SequenceExample.FromFeatures(Features.ToArray(), targets);
        var example = SequenceExample.FromTokens(Tokens.ToArray(), targets);
        return characters is null
            ? example
            : example with { Characters = characters.Characters, ExtraFeatures = characters.ReadsShapes ? characters.Shapes.ToArray() : null };
    }

    /// <summary>Runs <paramref name="model"/> on the current row, writing its <c>PredictionCount(Steps)</c> values.</summary>
    public void Predict(SequenceModel model, Span<float> predictions) => Predict(model, 0, Steps, predictions);

    /// <summary>
    /// Runs <paramref name="model"/> on <paramref name="count"/> kept steps of the current row from step
    /// <paramref name="start"/>, as if they were the whole sequence, writing its <c>PredictionCount(count)</c> values.
    /// </summary>
    public void Predict(SequenceModel model, int start, int count, Span<float> predictions)
    {
        if ((uint)start > (uint)Steps || (uint)count > (uint)(Steps - start) || count == 0)
            throw new ArgumentOutOfRangeException(nameof(count), $"Steps {start} to {start + count} are not within the row's {Steps} kept steps.");
        if (input.Kind == SequenceInputKind.Features)
        {
            int perStep = input.FeaturesPerStep;
            model.Predict(Features.Slice(start * perStep, count * perStep), predictions);
        }
        else if (characters is null)
        {
            model.Predict(Tokens.Slice(start, count), predictions);
        }
        else
        {
            bool whole = start == 0 && count == Steps;
            int[][] spelled = whole ? characters.Characters : characters.Characters[start..(start + count)];
            float[]? shapes = characters.ReadsShapes ? characters.Shapes.Slice(start * WordShape.FeatureCount, count * WordShape.FeatureCount).ToArray() : null;
            model.Predict(Tokens.Slice(start, count), spelled, shapes, predictions);
        }
    }

    private void ReadTokens(ValueGetter<VBuffer<uint>> getter)
    {
        getter(ref keys);
        int rowSteps = keys.Length;
        ulong keyCount = input.TokenKeyCount;
        int unknownToken = (int)keyCount;
        if (rowSteps == 0)
        {
            if (!scoring)
                throw EmptySequence("token");
            ReadBlankAsUnknownToken();
            return;
        }
        int steps = Kept(rowSteps);
        Span<int> kept = Workspace.EnsureBounded(ref tokens, steps, SequencePredictor.RetainedSteps);
        if (keys.IsDense)
        {
            ReadOnlySpan<uint> values = keys.GetValues()[..steps];
            for (int step = 0; step < values.Length; step++)
                kept[step] = TokenId(values[step], step, keyCount);
        }
        else
        {
            // A sparse vector's implicit values are the missing key 0; its explicit ones come in step order.
            kept.Fill(unknownToken);
            ReadOnlySpan<int> indices = keys.GetIndices();
            ReadOnlySpan<uint> values = keys.GetValues();
            for (int i = 0; i < indices.Length && indices[i] < steps; i++)
                kept[indices[i]] = TokenId(values[i], indices[i], keyCount);
        }
        RowSteps = rowSteps;
        Steps = steps;
        if (rowSteps > SequencePredictor.RetainedSteps)
            keys = default; // The getter grew it for a long row: let it go.
    }

    /// <summary>The token id of <paramref name="key"/> at <paramref name="step"/>: key k is token k − 1, the missing key 0 (and, when scoring, a key out of range) the unknown token.</summary>
    private int TokenId(uint key, int step, ulong keyCount)
    {
        if (key - 1 < keyCount)
            return (int)(key - 1);
        if (key > keyCount && !scoring)
            throw BadValue($"key {key} at step {step} is out of range", $"keys from 0 (unknown) to {keyCount}");
        return (int)keyCount;
    }

    private void ReadText(ValueGetter<ReadOnlyMemory<char>> getter)
    {
        getter(ref text);
        if (tokens.Length > SequencePredictor.RetainedSteps)
            tokens = []; // Grown for a long row: let it go.
        if (normalizeBuffer.Length > SequencePredictor.RetainedSteps)
            normalizeBuffer = [];
        int rowSteps = vocabulary!.Encode(text.Span, ref normalizeBuffer, ref tokens);
        if (rowSteps == 0)
        {
            // Training refuses a row it cannot learn from; scoring reads it as an empty sequence (see the remarks).
            if (!scoring)
                throw NoWords(column.Name, row.Position, rowSuffix, text, vocabulary.Tokenizer.KeepPunctuation);
            ReadBlankAsUnknownToken();
            return;
        }
        RowSteps = rowSteps;
        Steps = Kept(rowSteps);
    }

    private void ReadFeatures(ValueGetter<VBuffer<float>> getter)
    {
        getter(ref values);
        int perStep = input.FeaturesPerStep;
        if (values.Length == 0)
        {
            if (!scoring)
                throw EmptySequence("step");
            // One step of the training means: 0 once standardized, and 0 for a network that reads values as they are.
            Workspace.EnsureBounded(ref features, perStep, SequencePredictor.RetainedSteps).Clear();
            RowSteps = 0;
            Steps = 1;
            return;
        }
        if (values.Length % perStep != 0)
        {
            throw BadValue(
                $"the sequence is not a whole number of steps of {perStep} features, got {values.Length} values",
                $"a multiple of {perStep} values (FeaturesPerStep)");
        }
        int rowSteps = values.Length / perStep;
        int steps = Kept(rowSteps);
        int count = steps * perStep;
        Span<float> kept = Workspace.EnsureBounded(ref features, count, SequencePredictor.RetainedSteps * perStep);
        if (values.IsDense)
            values.GetValues()[..count].CopyTo(kept);
        else
            CopyFirstValues(values, kept);
        bool anyMissing = false;
        for (int i = 0; i < kept.Length; i++)
        {
            if (!float.IsFinite(kept[i]))
            {
                if (!scoring)
                    throw BadValue($"value {kept[i]} at step {i / perStep}, feature {i % perStep}", "finite numbers");
                anyMissing = true;
            }
        }
        if (anyMissing)
            ReplaceMissingByMeans(kept);
        else
            scaling?.Apply(kept);
        RowSteps = rowSteps;
        Steps = steps;
        if (rowSteps > SequencePredictor.RetainedSteps)
            values = default;
    }

    /// <summary>Standardizes <paramref name="kept"/> with each value that is not finite read as its feature's training mean.</summary>
    private void ReplaceMissingByMeans(Span<float> kept)
    {
        Span<bool> missing = kept.Length <= 1024 ? stackalloc bool[kept.Length] : new bool[kept.Length];
        for (int i = 0; i < kept.Length; i++)
        {
            missing[i] = !float.IsFinite(kept[i]);
            if (missing[i])
                kept[i] = 0;
        }
        scaling?.Apply(kept);
        for (int i = 0; i < kept.Length; i++)
        {
            if (missing[i])
                kept[i] = 0; // the mean, standardized
        }
    }

    private int Kept(int rowSteps) => maxSequenceLength > 0 ? Math.Min(rowSteps, maxSequenceLength) : rowSteps;

    /// <summary>The first <c>destination.Length</c> values of a sparse vector, its implicit zeros written out.</summary>
    private static void CopyFirstValues(in VBuffer<float> source, Span<float> destination)
    {
        destination.Clear();
        ReadOnlySpan<int> indices = source.GetIndices();
        ReadOnlySpan<float> explicitValues = source.GetValues();
        for (int i = 0; i < indices.Length && indices[i] < destination.Length; i++)
            destination[indices[i]] = explicitValues[i];
    }

    /// <summary>A blank row when scoring: one unknown token (the vocabulary's unknown id is the key count too), no row steps.</summary>
    private void ReadBlankAsUnknownToken()
    {
        Workspace.EnsureBounded(ref tokens, 1, SequencePredictor.RetainedSteps)[0] = (int)input.TokenKeyCount;
        RowSteps = 0;
        Steps = 1;
    }

    /// <summary>The error for a training text that holds no word, naming the column, the row and what was expected.</summary>
    internal static InvalidOperationException NoWords(string columnName, long row, string rowSuffix, ReadOnlyMemory<char> text, bool keepPunctuation)
    {
        string shown = text.Length <= 40 ? text.ToString() : text[..40] + "…";
        return new($"Column '{columnName}', row {row}{rowSuffix}: the text \"{shown}\" holds no words; " +
            $"expected at least one word (letters or digits{(keepPunctuation ? " or punctuation" : "")}). Filter out blank rows before training.");
    }

    private InvalidOperationException EmptySequence(string unit) =>
        BadValue("the sequence is empty", $"at least one {unit}");

    private InvalidOperationException BadValue(string problem, string expected) =>
        new($"Column '{column.Name}', row {row.Position}{rowSuffix}: {problem}; expected {expected}.");
}
