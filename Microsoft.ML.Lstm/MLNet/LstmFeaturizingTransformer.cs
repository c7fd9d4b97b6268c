using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Lstm;

/// <summary>
/// Writes each row's sequence as a fixed-size float vector: a trained recurrent encoder's outputs at every token,
/// pooled (last state, mean, max, or several concatenated), with slot names such as <c>Mean.Forward12</c>. Made by
/// <c>FeaturizeByLstm</c>, which also makes it a language model (<see cref="Generate(IEnumerable{string}, LstmGenerationOptions?)"/>,
/// <see cref="EvaluateLanguageModel"/>), or by a trained classifier, regressor or tagger's <c>AsFeaturizer</c>, whose
/// vector equals that model's own pooled vector bit for bit.
/// </summary>
public sealed partial class LstmFeaturizingTransformer : SequencePredictionTransformerBase
{
    /// <summary>The section holding the output column: name · count of pooling modes · each mode.</summary>
    private const string FeaturizerSection = "transformer.featurizer";

    /// <summary>The section holding the token column's key values, for generation from text: count · each value.</summary>
    private const string TokensSection = "transformer.tokens";

    private const int MaxTokenBytes = 1 << 16;

    private readonly PoolingMode[] _modes;
    private readonly SequenceModel _scoring;
    private readonly IReadOnlyList<string>? _tokenTexts;
    private readonly Dictionary<string, int>? _tokenIds;
    private readonly PredictionColumn[] _columns;
    private readonly object _generationLock = new();
    private SequenceNetwork<float>? _forwardModel;
    private TokenGenerator? _generator;

    /// <summary>A featurizer over <paramref name="model"/>: a language model (its encoder is pooled), or an encoder under a featurizing head already.</summary>
    internal LstmFeaturizingTransformer(
        IHostEnvironment env, SequenceModel model, SequenceFeatures features, string outputColumnName, PoolingMode[] modes, IReadOnlyList<string>? tokenTexts)
        : base(env, nameof(LstmFeaturizingTransformer), model, features)
    {
        if (string.IsNullOrEmpty(outputColumnName))
            throw new InvalidDataException("The featurizer's output column has no name.");
        new PooledFeaturesHeadSpec { Modes = modes }.Validate();
        _scoring = model.Spec.Head switch
        {
            LanguageModelHeadSpec => SequenceModel.FromNetwork(EncoderTransplant.Featurizer(model.Network, modes), model.ScoringThreads),
            PooledFeaturesHeadSpec pooled when pooled.Modes.AsSpan().SequenceEqual(modes) => model,
            _ => throw new InvalidDataException("A featurizer needs a language model or an encoder under a featurizing head with its pooling modes."),
        };
        if (tokenTexts is not null && (ulong)tokenTexts.Count != features.Input.TokenKeyCount)
            throw new InvalidDataException($"The featurizer holds {tokenTexts.Count} token values for {features.Input.TokenKeyCount} keys.");
        _modes = [.. modes];
        _tokenTexts = tokenTexts;
        if (tokenTexts is not null)
        {
            _tokenIds = new Dictionary<string, int>(tokenTexts.Count, StringComparer.Ordinal);
            for (int i = 0; i < tokenTexts.Count; i++)
                _tokenIds.TryAdd(tokenTexts[i], i);
        }
        OutputColumnName = outputColumnName;
        EncoderSpec encoder = model.Spec.Encoder;
        OutputSize = encoder.OutputSize * modes.Length;
        _columns = [new VectorPredictionColumn(outputColumnName, OutputSize, classNames: SlotNames(encoder, modes))];
    }

    /// <summary>The column written.</summary>
    public string OutputColumnName { get; }

    /// <summary>Values per row of the output vector: features per token (the hidden size, times 2 in both directions) times the poolings.</summary>
    public int OutputSize { get; }

    /// <summary>Whether this featurizer is a language model (made by <c>FeaturizeByLstm</c>), which can generate and be evaluated; false for a classifier's <c>AsFeaturizer</c>.</summary>
    public bool IsLanguageModel => Model.Spec.Head is LanguageModelHeadSpec;

    /// <summary>Whether this featurizer is a language model over tokens, which can generate and be evaluated (a model of float steps cannot).</summary>
    private bool IsTokenLanguageModel => IsLanguageModel && Features.Input.Kind == SequenceInputKind.Tokens;

    private protected override SequenceModel ScoringModel => _scoring;

    private protected override IReadOnlyList<PredictionColumn> PredictionColumns => _columns;

    private protected override SequencePredictionTransformerBase WithModelCore(SequenceModel model) =>
        new LstmFeaturizingTransformer(Host, model, Features, OutputColumnName, _modes, _tokenTexts);

    /// <summary>The trained network, for a trainer that starts its encoder from it.</summary>
    internal SequenceNetwork<float> Network => Model.Network;

    /// <summary>
    /// Continues <paramref name="prefix"/> (token values, as <c>MapValueToKey</c> keeps them: words, or characters as
    /// one-character strings) with tokens drawn from the forward language model, one step at a time from the state the
    /// prefix left (the prefix is read once). Values the model never saw are read as the unknown token; the unknown
    /// token is never generated. A featurizer of a text column splits each prefix string into words as it splits its
    /// texts (so <c>["The food was"]</c> and <c>["the", "food", "was"]</c> are the same prefix) and generates words.
    /// </summary>
    /// <returns>The generated token values, the stop token included when one ended it.</returns>
    /// <exception cref="InvalidOperationException">This featurizer is not a language model over tokens, or its keys have no text values.</exception>
    /// <exception cref="ArgumentException">The prefix is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public string[] Generate(IEnumerable<string> prefix, LstmGenerationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        RequireTokenLanguageModel();
        Dictionary<string, int> ids = _tokenIds ?? throw new InvalidOperationException(
            $"The featurizer's token column '{FeatureColumnName}' had keys without text values; generate from keys instead.");
        int unknown = UnknownToken;
        IEnumerable<string> values = Features.Vocabulary is TextVocabulary vocabulary
            ? prefix.SelectMany(text => vocabulary.Tokenizer.Split(text ?? ""))
            : prefix;
        int[] tokens = [.. values.Select(text => ids.TryGetValue(text ?? "", out int id) ? id : unknown)];
        int[] generated = GenerateTokens(tokens, options ?? new LstmGenerationOptions(), "prefix");
        return Array.ConvertAll(generated, id => _tokenTexts![id]);
    }

    /// <summary>
    /// Continues a prefix of keys (1-based, as in the token column; 0, the missing key, is read as the unknown token)
    /// with keys drawn from the forward language model, one step at a time from the state the prefix left.
    /// </summary>
    /// <returns>The generated keys, the stop key included when one ended it.</returns>
    /// <exception cref="InvalidOperationException">This featurizer is not a language model over tokens.</exception>
    /// <exception cref="ArgumentException">The prefix is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A key is above the column's key count, or an option is out of range.</exception>
    public uint[] Generate(ReadOnlySpan<uint> prefixKeys, LstmGenerationOptions? options = null)
    {
        RequireTokenLanguageModel();
        ulong keyCount = Features.Input.TokenKeyCount;
        var tokens = new int[prefixKeys.Length];
        for (int i = 0; i < tokens.Length; i++)
        {
            if (prefixKeys[i] > keyCount)
                throw new ArgumentOutOfRangeException(nameof(prefixKeys), prefixKeys[i], $"Prefix key {i} is {prefixKeys[i]}; the column '{FeatureColumnName}' has keys 1 to {keyCount}.");
            tokens[i] = prefixKeys[i] == 0 ? UnknownToken : (int)prefixKeys[i] - 1;
        }
        int[] generated = GenerateTokens(tokens, options ?? new LstmGenerationOptions(), nameof(prefixKeys));
        return Array.ConvertAll(generated, id => (uint)id + 1);
    }

    /// <summary>
    /// How well the forward language model predicts the rows of <paramref name="data"/> (read from the same column,
    /// with the same keys): each token after a row's first, from the tokens before it. Each row is scored on the
    /// featurizer's <see cref="SequencePredictionTransformerBase.ScoringThreads"/> (generation runs on one thread).
    /// </summary>
    /// <exception cref="InvalidOperationException">This featurizer is not a language model over tokens, or a row is empty or holds a key out of range.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The column is missing or holds other keys.</exception>
    public LanguageModelMetrics EvaluateLanguageModel(IDataView data)
    {
        ArgumentNullException.ThrowIfNull(data);
        RequireTokenLanguageModel();
        TextVocabulary? words = Features.Vocabulary;
        var column = SequenceFeatureColumn.From(data.Schema, FeatureColumnName, 1, "evaluation", acceptsText: words is not null);
        if (column.IsText)
            column = column.WithVocabulary(words!);
        if (column.Input != Features.Input || column.IsText != (words is not null))
        {
            throw new ArgumentOutOfRangeException(nameof(data), words is not null
                ? $"The evaluation data's column '{FeatureColumnName}' is {column.Column.Type}; the language model reads text (String)."
                : $"The evaluation data's column '{FeatureColumnName}' is {column.Column.Type}; the language model reads keys of {Features.Input.TokenKeyCount} tokens (map them with the same MapValueToKey).");
        }
        SequenceNetwork<float> forward;
        lock (_generationLock)
            forward = ForwardModel().CloneForInference(Model.ScoringThreads);
        var predictor = new SequencePredictor(forward);
        int vocabulary = forward.Spec.Encoder.VocabularySize;
        double total = 0;
        long predicted = 0;
        float[] logits = [];
        using (DataViewRowCursor cursor = data.GetRowCursor([column.Column]))
        {
            var sequence = new SequenceRowReader(cursor, column.Column, column.Input, Features.MaxSequenceLength, "evaluation", vocabulary: column.Vocabulary);
            while (cursor.MoveNext())
            {
                sequence.Read();
                ReadOnlySpan<int> tokens = sequence.Tokens;
                if (tokens.Length < 2)
                    continue;
                if (logits.Length < tokens.Length * vocabulary)
                    logits = new float[tokens.Length * vocabulary];
                predictor.Predict(tokens, logits.AsSpan(0, tokens.Length * vocabulary));
                for (int t = 0; t + 1 < tokens.Length; t++)
                    total += NegativeLogProbability(logits.AsSpan(t * vocabulary, vocabulary), tokens[t + 1]);
                predicted += tokens.Length - 1;
            }
        }
        if (predicted == 0)
            throw new ArgumentException($"The evaluation data has no row of two tokens or more in column '{FeatureColumnName}'.", nameof(data));
        return new LanguageModelMetrics(total / predicted, predicted);
    }

    /// <summary>−ln softmax(logits)[target], in double.</summary>
    internal static double NegativeLogProbability(ReadOnlySpan<float> logits, int target)
    {
        float maximum = System.Numerics.Tensors.TensorPrimitives.Max(logits);
        double sum = 0;
        foreach (float logit in logits)
            sum += Math.Exp(logit - maximum);
        return Math.Log(sum) - (logits[target] - maximum);
    }

    /// <summary>The forward language model, as a network with a per-step softmax (built once).</summary>
    internal SequenceNetwork<float> ForwardModel()
    {
        RequireTokenLanguageModel();
        return _forwardModel ??= EncoderTransplant.ForwardLanguageModel(Model.Network);
    }

    /// <summary>Throws unless this featurizer is a language model over tokens, which generation and perplexity need.</summary>
    private void RequireTokenLanguageModel()
    {
        if (!IsLanguageModel)
            throw new InvalidOperationException("This featurizer came from a trained classifier, regressor or tagger (AsFeaturizer): it has no language model to generate with or evaluate.");
        if (!IsTokenLanguageModel)
            throw new InvalidOperationException($"This featurizer learned float steps of '{FeatureColumnName}' by regression: generation and perplexity need a model over tokens.");
    }

    private int UnknownToken => (int)Features.Input.TokenKeyCount;

    private int[] GenerateTokens(int[] prefix, LstmGenerationOptions options, string prefixName)
    {
        if (prefix.Length == 0)
            throw new ArgumentException("Generation needs a prefix of at least one token.", prefixName);
        var stops = new HashSet<int>();
        foreach (uint key in options.StopKeys ?? [])
        {
            if (key == 0 || key > Features.Input.TokenKeyCount)
                throw new ArgumentOutOfRangeException(nameof(options), key, $"The stop key {key} is not a key of the column '{FeatureColumnName}' (1 to {Features.Input.TokenKeyCount}).");
            stops.Add((int)key - 1);
        }
        foreach (string text in options.StopTokens ?? [])
        {
            if (_tokenIds is null || !_tokenIds.TryGetValue(text ?? "", out int id))
                throw new ArgumentOutOfRangeException(nameof(options), text, $"The stop token '{text}' is not a value of the column '{FeatureColumnName}'.");
            stops.Add(id);
        }
        var engineOptions = new GenerationOptions
        {
            MaxTokens = options.MaxTokens,
            Temperature = options.Temperature,
            TopK = options.TopK,
            TopP = options.TopP,
            Seed = options.Seed,
            StopTokens = stops,
            ExcludedTokens = [UnknownToken],
        };
        engineOptions.Validate();
        lock (_generationLock)
        {
            _generator ??= new TokenGenerator(ForwardModel());
            return _generator.Generate(prefix, engineOptions);
        }
    }

    /// <summary>The engine's pooling modes of <paramref name="pooling"/>, in the order last state, mean, max.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No known mode is set, or an unknown one is.</exception>
    internal static PoolingMode[] ModesOf(LstmFeaturePooling pooling)
    {
        if (pooling == 0 || (pooling & ~LstmFeaturePooling.All) != 0)
            throw new ArgumentOutOfRangeException(nameof(pooling), pooling, "The pooling must be LastState, Mean, Max or a combination of them.");
        var modes = new List<PoolingMode>(3);
        if (pooling.HasFlag(LstmFeaturePooling.LastState))
            modes.Add(PoolingMode.LastState);
        if (pooling.HasFlag(LstmFeaturePooling.Mean))
            modes.Add(PoolingMode.Mean);
        if (pooling.HasFlag(LstmFeaturePooling.Max))
            modes.Add(PoolingMode.Max);
        return [.. modes];
    }

    /// <summary>Slot names: the pooling, the direction when there are two, and the unit, e.g. <c>Max.Backward7</c>.</summary>
    private static string[] SlotNames(EncoderSpec encoder, PoolingMode[] modes)
    {
        int features = encoder.OutputSize, hidden = encoder.HiddenSize;
        bool halves = encoder.Bidirectional && encoder.Merge == MergeMode.Concat;
        var names = new string[features * modes.Length];
        for (int m = 0; m < modes.Length; m++)
        {
            for (int i = 0; i < features; i++)
            {
                names[m * features + i] = halves
                    ? $"{modes[m]}.{(i < hidden ? "Forward" : "Backward")}{i % hidden}"
                    : $"{modes[m]}.{i}";
            }
        }
        return names;
    }

    private protected override void SaveExtras(ModelFileWriter file)
    {
        ModelSectionWriter section = file.Section(FeaturizerSection);
        section.WriteString(OutputColumnName);
        section.WriteInt32(_modes.Length);
        foreach (PoolingMode mode in _modes)
            section.WriteEnum(mode);
        if (_tokenTexts is not null && Features.Vocabulary is null) // a text column's words are the vocabulary's, saved with it
        {
            ModelSectionWriter tokens = file.Section(TokensSection);
            tokens.WriteInt32(_tokenTexts.Count);
            foreach (string text in _tokenTexts)
                tokens.WriteString(text);
        }
    }

    /// <summary>Builds the transformer from a model file written by <see cref="SaveExtras"/> and the base.</summary>
    private static LstmFeaturizingTransformer FromFile(IHostEnvironment env, SequenceTransformerFile file)
    {
        ModelSectionReader section = file.Open(FeaturizerSection);
        string output = section.ReadString("output column name", MaxTokenBytes);
        var modes = new PoolingMode[section.ReadInt32("pooling modes", 1, 3)];
        for (int i = 0; i < modes.Length; i++)
            modes[i] = section.ReadEnum<PoolingMode>("pooling mode");
        section.ExpectEnd();
        string[]? texts = null;
        if (file.Contains(TokensSection))
        {
            ModelSectionReader tokens = file.Open(TokensSection);
            int count = tokens.ReadCount("token values", EncoderSpec.MaxVocabularySize, sizeof(int));
            texts = new string[count];
            for (int i = 0; i < count; i++)
                texts[i] = tokens.ReadString("a token value", MaxTokenBytes);
            tokens.ExpectEnd();
        }
        try
        {
            return new LstmFeaturizingTransformer(env, file.Model, file.Features, output, modes, texts ?? file.Features.Vocabulary?.Words);
        }
        catch (ArgumentException error)
        {
            throw new InvalidDataException($"The featurizer's model file is malformed: {error.Message}", error);
        }
    }

    /// <summary>A featurizer of a trained predictor's network: its encoder under a featurizing head pooling by <paramref name="modes"/> (copying attention's weights).</summary>
    internal static LstmFeaturizingTransformer FromPredictor(IHostEnvironment env, SequenceModel model, SequenceFeatures features, string outputColumnName, PoolingMode[] modes)
    {
        if (string.IsNullOrWhiteSpace(outputColumnName))
            throw new ArgumentException("AsFeaturizer needs an output column name.", nameof(outputColumnName));
        var featurizer = SequenceModel.FromNetwork(EncoderTransplant.Featurizer(model.Network, modes), model.ScoringThreads);
        return new LstmFeaturizingTransformer(env, featurizer, features, outputColumnName, modes, tokenTexts: null);
    }
}
