using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// The feature column of an exported model as the network's ONNX operators read it: what <see cref="SequenceRowReader"/>
/// does per row, written as ONNX operators over a batch of rows padded to one length.
/// </summary>
/// <remarks>
/// <para>ML.NET gives a variable-length vector column to an ONNX graph as a tensor [N, L]: one row per sequence, L the
/// longest. ML.NET's own <c>ApplyOnnxModel</c> passes one row at a time ([1, length]), so nothing is padded. A caller
/// of ONNX Runtime that scores a batch of sequences of different lengths pads each row at its end with a value the
/// package never reads as a step, and the graph counts each row's length from it:</para>
/// <list type="bullet">
/// <item>Token keys (uint32): <see cref="TokenPadKey"/>. Key 0, and any other key above the column's key count, is the
/// unknown token, as the package scores it.</item>
/// <item>Float steps: NaN in a step's first value. (The package scores a NaN as its feature's training mean; so does
/// the graph, but for a step's first value, which it reads as the end of the row.)</item>
/// </list>
/// <para>A text column (a model with a <see cref="TextVocabulary"/>) is a string tensor [N, 1] (ML.NET's shape) or [N];
/// nothing is padded. The graph does what <see cref="TextTokenizer"/> and <see cref="TextVocabulary"/> do: ONNX's
/// <c>StringNormalizer</c> folds the case, ONNX Runtime's <c>Tokenizer</c> (operator set com.microsoft) splits the text
/// with the regular expression <see cref="TokenPattern"/>, and <c>LabelEncoder</c> (ai.onnx.ml) turns each word into its
/// token id, an unknown word into the unknown token; a text that holds no word is one unknown token, as when the
/// package scores it. The limits of that equivalence are in the README's "Exporting to ONNX".</para>
/// <para>Only the first <c>MaxSequenceLength</c> steps are read (0 reads all), as in training and scoring.</para>
/// </remarks>
internal static class SequenceOnnxInput
{
    /// <summary>The pad value of a token-key row in a padded ONNX batch: above every key count.</summary>
    public const uint TokenPadKey = uint.MaxValue;

    /// <summary>
    /// Writes the reading of <paramref name="column"/> (the feature column's variable): the step-major input of the
    /// first recurrent layer [L, N, I], each row's length (int32 [N]) and which steps are a row's own (bool [N, L]).
    /// </summary>
    public static (string Steps, string Lengths, string Valid) Write(IOnnxGraph graph, NetworkOnnxWriter writer, SequenceFeatures features, string column, string prefix)
    {
        if (features.Vocabulary is TextVocabulary vocabulary)
            return Text(graph, writer, features, vocabulary, column, prefix);
        return features.Input.Kind == SequenceInputKind.Tokens
            ? Tokens(graph, writer, features, column, prefix)
            : FloatSteps(graph, writer, features, column, prefix);
    }

    /// <summary>
    /// The locale ONNX's <c>StringNormalizer</c> folds case under: C.UTF-8, the Unicode locale every glibc Linux has
    /// (ONNX Runtime's default there, en_US.UTF-8, is often not installed in containers).
    /// </summary>
    public const string CaseLocale = "C.UTF-8";

    /// <summary>The pad ONNX Runtime's <c>Tokenizer</c> writes after a text's last word: never a word, being empty.</summary>
    private const string TokenizerPad = "";

    /// <summary>
    /// The regular expression (RE2 syntax, over UTF-8) whose matches, left to right, are the tokens
    /// <see cref="TextTokenizer"/> splits a normalized text into: a run of word characters (letters, decimal digits,
    /// combining marks, and every character outside the Basic Multilingual Plane, which .NET holds as two surrogates that
    /// count as word characters) with an apostrophe (' or ’) inside it kept when a word character follows; and, when
    /// punctuation is kept, any single other character that is neither white space (Unicode separators) nor a control character.
    /// </summary>
    public static string TokenPattern(TextTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        const string wordCharacters = @"\p{L}\p{Nd}\p{M}\x{10000}-\x{10FFFF}";
        string word = $"[{wordCharacters}]+(?:['\\x{{2019}}][{wordCharacters}]+)*";
        return tokenizer.KeepPunctuation ? $"{word}|[^{wordCharacters}\\p{{Z}}\\p{{Cc}}]" : word;
    }

    private static (string, string, string) Text(IOnnxGraph graph, NetworkOnnxWriter writer, SequenceFeatures features, TextVocabulary vocabulary, string column, string prefix)
    {
        long unknown = vocabulary.UnknownId;
        // ML.NET's [N, 1] (or a caller's [N]) as [N]: StringNormalizer reads [C] or [1, C] only.
        string text = graph.Node("Reshape", [column, graph.Constant(prefix + "textShape", [-1L], 1)]);
        if (vocabulary.Tokenizer.Lowercase)
        {
            text = graph.Node("StringNormalizer", [text],
                OnnxAttribute.String("case_change_action", "LOWER"), OnnxAttribute.Int("is_case_sensitive", 1), OnnxAttribute.String("locale", CaseLocale));
        }
        // [N] → [N, T]: each text's tokens, the shorter ones padded; T = 0 when no text holds a token.
        string tokens = graph.Node("Tokenizer", "com.microsoft", [text],
            OnnxAttribute.Int("mark", 0), OnnxAttribute.Int("mincharnum", 1), OnnxAttribute.String("pad_value", TokenizerPad),
            OnnxAttribute.String("tokenexp", TokenPattern(vocabulary.Tokenizer)));
        // Word i → i, the pad → −1, every other word → the unknown token.
        string[] keys = [.. vocabulary.Words, TokenizerPad];
        long[] values = new long[keys.Length];
        for (int i = 0; i < vocabulary.Count; i++)
            values[i] = i;
        values[^1] = -1;
        string ids = graph.Node("LabelEncoder", "ai.onnx.ml", [tokens],
            OnnxAttribute.Strings("keys_strings", keys), OnnxAttribute.Ints("values_int64s", values), OnnxAttribute.Int("default_int64", unknown));
        // One more (pad) step, so that every row has a first step: a text with no token reads as one unknown token there.
        ids = graph.Node("Pad", [ids, graph.Constant(prefix + "textPads", [0L, 0L, 0L, 1L], 4), graph.Constant(prefix + "padId", [-1L])]);
        string zero = graph.Constant(prefix + "zero", [0L]);
        string one = graph.Constant(prefix + "one", [1L]);
        string minusOne = graph.Constant(prefix + "minusOne", [-1L]);
        string words = graph.Node("ReduceSum", [graph.Node("Cast", [graph.Node("Greater", [ids, minusOne])], To(OnnxElementType.Int64))],
            OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 1)); // [N, 1]
        string width = graph.Node("Gather", [graph.Node("Shape", [ids]), one], OnnxAttribute.Int("axis", 0));
        string first = graph.Node("Equal", [graph.Node("Range", [zero, width, one]), zero]); // [T + 1]
        ids = graph.Node("Where", [graph.Node("And", [graph.Node("Equal", [words, zero]), first]), graph.Constant(prefix + "unknownToken", [unknown]), ids]);
        ids = Kept(graph, features, ids, prefix);
        string valid = graph.Node("Greater", [ids, minusOne]);
        string lengths = Lengths(graph, valid, axis: 1);
        ids = graph.Node("Where", [valid, ids, zero]);
        return (writer.Embed(ids), lengths, valid);
    }

    private static (string, string, string) Tokens(IOnnxGraph graph, NetworkOnnxWriter writer, SequenceFeatures features, string column, string prefix)
    {
        long keyCount = checked((long)features.Input.TokenKeyCount);
        string keys = graph.Node("Cast", [Kept(graph, features, column, prefix)], To(OnnxElementType.Int64)); // [N, L]
        string valid = graph.Node("Not", [graph.Node("Equal", [keys, graph.Constant(prefix + "padKey", [(long)TokenPadKey])])]);
        string lengths = Lengths(graph, valid, axis: 1);
        // key k is token k − 1; the missing key 0, and any other key above the key count, is the unknown token (the
        // embedding's last row), as the package scores it; padding reads row 0 and is masked.
        string unknownKey = graph.Node("Or", [
            graph.Node("Equal", [keys, graph.Constant(prefix + "zero", [0L])]),
            graph.Node("Greater", [keys, graph.Constant(prefix + "keyCount", [keyCount])])]);
        string ids = graph.Node("Sub", [keys, graph.Constant(prefix + "one", [1L])]);
        ids = graph.Node("Where", [unknownKey, graph.Constant(prefix + "unknownToken", [keyCount]), ids]);
        ids = graph.Node("Where", [valid, ids, graph.Constant(prefix + "zero", [0L])]);
        return (writer.Embed(ids), lengths, valid);
    }

    private static (string, string, string) FloatSteps(IOnnxGraph graph, NetworkOnnxWriter writer, SequenceFeatures features, string column, string prefix)
    {
        int perStep = features.Input.FeaturesPerStep;
        string steps = graph.Node("Reshape", [column, graph.Constant(prefix + "shape", [0L, -1L, perStep], 3)]); // [N, L, F]
        steps = Kept(graph, features, steps, prefix);
        string isNaN = graph.Node("IsNaN", [steps]);
        string firstIsNaN = graph.Node("Squeeze", [graph.Node("Slice", [isNaN, Longs(graph, prefix, 0), Longs(graph, prefix, 1), Longs(graph, prefix, 2)])], OnnxAttribute.Ints("axes", 2));
        string valid = graph.Node("Not", [firstIsNaN]);
        string lengths = Lengths(graph, valid, axis: 1);
        if (features.InputScaling is Standardization scaling)
        {
            steps = graph.Node("Sub", [steps, graph.Constant(prefix + "inputMeans", scaling.Means, perStep)]);
            steps = graph.Node("Div", [steps, graph.Constant(prefix + "inputDeviations", scaling.Deviations, perStep)]);
        }
        // A NaN value of a real step reads as its feature's training mean, as the package scores it: 0 once standardized
        // (and 0 for a network that reads values as they are).
        steps = graph.Node("Where", [isNaN, graph.Constant(prefix + "zero", [0f]), steps]);
        return (writer.StepMajor(steps), lengths, valid);
    }

    /// <summary>The first <c>MaxSequenceLength</c> steps (axis 1) of <paramref name="batch"/>, or all of them.</summary>
    private static string Kept(IOnnxGraph graph, SequenceFeatures features, string batch, string prefix) => features.MaxSequenceLength == 0
        ? batch
        : graph.Node("Slice", [batch, Longs(graph, prefix, 0), Longs(graph, prefix, features.MaxSequenceLength), Longs(graph, prefix, 1)]);

    /// <summary>How many steps of each row are valid: int32 [N].</summary>
    private static string Lengths(IOnnxGraph graph, string valid, int axis) =>
        graph.Node("ReduceSum", [graph.Node("Cast", [valid], To(OnnxElementType.Int32))], OnnxAttribute.Ints("axes", axis), OnnxAttribute.Int("keepdims", 0));

    private static string Longs(IOnnxGraph graph, string prefix, long value) => graph.Constant(prefix + "index", [value], 1);

    private static OnnxAttribute To(OnnxElementType type) => OnnxAttribute.Int("to", (long)type);
}
