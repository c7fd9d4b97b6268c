using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.MLNetInternals;
using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Lstm;

/// <summary>
/// Learns a recurrent encoder from texts or token sequences without labels, as a language model, and returns a transformer
/// that writes each row's pooled encoder outputs as a fixed-size float vector (<c>mlContext.Transforms.FeaturizeByLstm</c>).
/// </summary>
/// <remarks>
/// <para>The network reads each row's tokens and, at every token, predicts the next one (a forward language model);
/// bidirectional, a second direction reads the row backwards and predicts the previous token, as ELMo's two models do.
/// Both predict through a softmax over the vocabulary: a full one for characters and small vocabularies, an adaptive one
/// for word vocabularies (<see cref="Options.Softmax"/>), which trains several times faster there. What the encoder learns to predict the text is what the
/// featurizer outputs: its states at every token pooled (<see cref="Options.Pooling"/>) into one vector, for SDCA,
/// LightGBM, k-means or any ML.NET component, trained on few labels.</para>
/// <para>A text column is split into words and read through a vocabulary built from the training texts, as the LSTM
/// trainers read one (<see cref="Options.MinimumWordCount"/>): a classifier started from this featurizer
/// (<see cref="LstmTrainerOptionsBase.PretrainedEncoder"/>) on the same text column reads it with the featurizer's words.</para>
/// <para>The transformer is also the language model: it generates text from a prefix
/// (<see cref="LstmFeaturizingTransformer.Generate(IEnumerable{string}, LstmGenerationOptions?)"/>) and reports perplexity on
/// held-out rows (<see cref="LstmFeaturizingTransformer.EvaluateLanguageModel"/>); its encoder can start a classifier
/// (<see cref="LstmTrainerOptionsBase.PretrainedEncoder"/>).</para>
/// </remarks>
public sealed class LstmFeaturizingEstimator : IEstimator<LstmFeaturizingTransformer>
{
    private const int RowsPerCancellationCheck = 1024;
    private const string ExpectedInput = "text (String), a vector of keys (tokens after MapValueToKey) or a vector of floats";
    private readonly IHostEnvironment _env;
    private readonly IHost _host;
    private readonly Options _options;

    internal LstmFeaturizingEstimator(IHostEnvironment env, Options options)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Snapshot();
        _options.Validate();
        _env = env;
        _host = env.Register(nameof(LstmFeaturizingEstimator));
    }

    /// <summary>Everything <c>FeaturizeByLstm</c> can be told.</summary>
    public sealed class Options
    {
        /// <summary>The column written: a vector of float. Default: <c>"Features"</c>.</summary>
        public string OutputColumnName = "Features";

        /// <summary>
        /// The column read: text (a <c>String</c> per row, split into words as <see cref="LowercaseText"/>,
        /// <see cref="KeepPunctuation"/> and <see cref="MinimumWordCount"/> say), a vector of keys (tokens or characters after
        /// <c>MapValueToKey</c>), or a vector of floats read as steps of <see cref="FeaturesPerStep"/> values (then the model
        /// predicts the next step's values by regression); null reads <see cref="OutputColumnName"/>. Default: null.
        /// </summary>
        public string? InputColumnName;

        /// <summary>For a float column, how many consecutive values make one step; each row's length must be a multiple of it. Default: 1.</summary>
        public int FeaturesPerStep = 1;

        /// <summary>For a float column, whether each value of a step is standardized with its mean and standard deviation over the training steps (saved with the model, applied when featurizing). Default: true.</summary>
        public bool StandardizeInputs = true;

        /// <summary>What the output vector holds: the last state, the mean, the max over the tokens, or several concatenated. Default: <see cref="LstmFeaturePooling.All"/>.</summary>
        public LstmFeaturePooling Pooling = LstmFeaturePooling.All;

        /// <summary>The recurrent cell. Default: <see cref="RecurrentCellType.Lstm"/>.</summary>
        public RecurrentCellType CellType = RecurrentCellType.Lstm;

        /// <summary>Hidden units per direction; the output has this many values per direction and pooling. Default: 128.</summary>
        public int HiddenSize = 128;

        /// <summary>Stacked recurrent layers; a bidirectional model has one (a second would read states that have seen the token predicted). Default: 1.</summary>
        public int LayerCount = 1;

        /// <summary>Whether a backward language model is trained beside the forward one, and its states join the output (ELMo). Generation uses the forward model. Default: true.</summary>
        public bool Bidirectional = true;

        /// <summary>Size of each token's learned vector. Default: 64.</summary>
        public int EmbeddingSize = 64;

        /// <summary>Fraction of activations zeroed while training, between layers and before the softmax, in [0, 1). Default: 0.2.</summary>
        public double Dropout = 0.2;

        /// <summary>
        /// For a key column: the chance that an occurrence of a token seen once in the training rows is read (and
        /// predicted) as the unknown token while training, drawn afresh each time, in [0, 1]. The unknown token is how the
        /// network reads the missing key 0 and every key of the column that training never saw; without this dropout its
        /// vector keeps its random start, which the network never learned to read. Default: 0.
        /// </summary>
        public double SingletonDropout;

        /// <summary>Tokens kept from the start of a longer row, in training and when featurizing; 0 keeps all. Default: 0.</summary>
        public int MaxSequenceLength;

        /// <summary>
        /// For a text column: whether the text is folded to lower case before it is split into words. Ignored for key and
        /// float columns. Default: true.
        /// </summary>
        public bool LowercaseText = true;

        /// <summary>
        /// For a text column: whether punctuation marks are read as tokens (one per mark) or dropped. Words are runs of
        /// letters and digits (an apostrophe inside a word stays in it). Ignored for key and float columns. Default: false.
        /// </summary>
        public bool KeepPunctuation;

        /// <summary>
        /// For a text column: a word is in the vocabulary only when the training texts hold it at least this many times;
        /// rarer words, like words never seen, are read (and predicted) as the unknown token, whose vector the words seen
        /// once thus train. Ignored for key and float columns. Default: 2.
        /// </summary>
        public int MinimumWordCount = 2;

        /// <summary>
        /// For a text column: the vocabulary keeps at most this many words, the most frequent; 0 keeps every word seen at
        /// least <see cref="MinimumWordCount"/> times. Ignored for key and float columns. Default: 0.
        /// </summary>
        public int MaximumVocabularySize;

        /// <summary>Most passes over the rows. Default: 10.</summary>
        public int Epochs = 10;

        /// <summary>Rows per minibatch. Default: 32.</summary>
        public int BatchSize = 32;

        /// <summary>Adam's learning rate, halved when the held-out loss stops falling. Default: 3e-3.</summary>
        public double LearningRate = 3e-3;

        /// <summary>Gradients are scaled down when their global norm exceeds this; 0 disables clipping. Default: 5.</summary>
        public double GradientClipNorm = 5;

        /// <summary>Epochs without a lower held-out loss before training stops (keeping the best epoch's weights); 0 never stops early. Default: 2.</summary>
        public int EarlyStoppingPatience = 2;

        /// <summary>Fraction of the rows held out to measure the language model's loss each epoch, in [0, 1). Default: 0.1.</summary>
        public double ValidationFraction = 0.1;

        /// <summary>Seeds initialisation, shuffling and dropout; null takes the <c>MLContext</c>'s. Default: null.</summary>
        public int? Seed;

        /// <summary>Threads for training; null uses every core. The same seed and thread count give the same model. Default: null.</summary>
        public int? NumberOfThreads;

        /// <summary>
        /// The language model's output layer over the tokens (a float column is predicted by regression and ignores it):
        /// <see cref="LstmLanguageModelSoftmax.Automatic"/> takes a full softmax below <see cref="AutomaticAdaptiveVocabulary"/>
        /// tokens and an adaptive one from there on. Default: <see cref="LstmLanguageModelSoftmax.Automatic"/>.
        /// </summary>
        public LstmLanguageModelSoftmax Softmax = LstmLanguageModelSoftmax.Automatic;

        /// <summary>
        /// With an adaptive softmax, where its clusters begin, in ranks of the tokens' training counts (0 the most frequent):
        /// the first value is how many of the most frequent tokens the head softmax holds, each next one where a tail
        /// cluster after the first begins; strictly increasing, below the vocabulary size (keys + 1), at most 8 values.
        /// Tail cluster i is read through a projection of <see cref="HiddenSize"/> / 4^(i+1) values. null chooses them from
        /// the training tokens: the fewest most frequent tokens covering half of the training tokens, then clusters each
        /// 4 times the size of the one before. Cutoffs given with <see cref="Softmax"/> left Automatic choose the adaptive
        /// softmax at any vocabulary size. Default: null.
        /// </summary>
        public int[]? AdaptiveSoftmaxCutoffs;

        /// <summary>The vocabulary size (keys + 1) from which <see cref="LstmLanguageModelSoftmax.Automatic"/> takes an adaptive softmax: 2,000.</summary>
        public const int AutomaticAdaptiveVocabulary = 2000;

        /// <summary>Stops training between minibatches. Default: none.</summary>
        public CancellationToken CancellationToken;

        /// <summary>Receives a report after each epoch (also sent to <c>MLContext.Log</c>). Default: null.</summary>
        public IProgress<LstmTrainingProgress>? Progress;

        internal string InputName => InputColumnName ?? OutputColumnName;

        internal Options Snapshot()
        {
            var copy = (Options)MemberwiseClone();
            copy.AdaptiveSoftmaxCutoffs = AdaptiveSoftmaxCutoffs?.ToArray();
            return copy;
        }

        internal PoolingMode[] PoolingModes() => LstmFeaturizingTransformer.ModesOf(Pooling);

        internal void Validate()
        {
            if (string.IsNullOrWhiteSpace(OutputColumnName))
                throw new ArgumentException("FeaturizeByLstm's option OutputColumnName must name a column.", nameof(OutputColumnName));
            if (InputColumnName is not null && string.IsNullOrWhiteSpace(InputColumnName))
                throw new ArgumentException("FeaturizeByLstm's option InputColumnName must name a column, or be null to read OutputColumnName.", nameof(InputColumnName));
            Require(Pooling != 0 && (Pooling & ~LstmFeaturePooling.All) == 0, nameof(Pooling), Pooling, "LastState, Mean, Max or a combination of them");
            Require(FeaturesPerStep is > 0 and <= EncoderSpec.MaxWidth, nameof(FeaturesPerStep), FeaturesPerStep, $"in [1, {EncoderSpec.MaxWidth}]");
            Require(Enum.IsDefined(CellType), nameof(CellType), CellType, "a RecurrentCellType");
            Require(HiddenSize is > 0 and <= EncoderSpec.MaxWidth, nameof(HiddenSize), HiddenSize, $"in [1, {EncoderSpec.MaxWidth}]");
            Require(LayerCount is > 0 and <= EncoderSpec.MaxLayerCount, nameof(LayerCount), LayerCount, $"in [1, {EncoderSpec.MaxLayerCount}]");
            Require(!Bidirectional || LayerCount == 1, nameof(LayerCount), LayerCount,
                "1 when Bidirectional (a second layer's forward direction would read backward states that have seen the token it predicts)");
            Require(EmbeddingSize is > 0 and <= EncoderSpec.MaxWidth, nameof(EmbeddingSize), EmbeddingSize, $"in [1, {EncoderSpec.MaxWidth}]");
            Require(Dropout is >= 0 and < 1, nameof(Dropout), Dropout, "in [0, 1)");
            Require(SingletonDropout is >= 0 and <= 1, nameof(SingletonDropout), SingletonDropout, "in [0, 1]");
            Require(MaxSequenceLength >= 0, nameof(MaxSequenceLength), MaxSequenceLength, "0 (no limit) or positive");
            Require(MinimumWordCount > 0, nameof(MinimumWordCount), MinimumWordCount, "positive");
            Require(MaximumVocabularySize >= 0, nameof(MaximumVocabularySize), MaximumVocabularySize, "0 (no limit) or positive");
            Require(Epochs > 0, nameof(Epochs), Epochs, "positive");
            Require(BatchSize > 0, nameof(BatchSize), BatchSize, "positive");
            Require(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "a positive number");
            Require(GradientClipNorm >= 0 && double.IsFinite(GradientClipNorm), nameof(GradientClipNorm), GradientClipNorm, "0 (no clipping) or positive");
            Require(EarlyStoppingPatience >= 0, nameof(EarlyStoppingPatience), EarlyStoppingPatience, "0 (no early stopping) or positive");
            Require(ValidationFraction is >= 0 and < 1, nameof(ValidationFraction), ValidationFraction, "in [0, 1)");
            Require(NumberOfThreads is null or > 0, nameof(NumberOfThreads), NumberOfThreads, "null (every core) or positive");
            Require(Enum.IsDefined(Softmax), nameof(Softmax), Softmax, "Automatic, Full or Adaptive");
            if (AdaptiveSoftmaxCutoffs is int[] cutoffs)
            {
                Require(Softmax != LstmLanguageModelSoftmax.Full, nameof(AdaptiveSoftmaxCutoffs), Describe(cutoffs), "null when Softmax is Full");
                Require(cutoffs.Length is > 0 and <= LanguageModelHeadSpec.MaxTailClusters, nameof(AdaptiveSoftmaxCutoffs), Describe(cutoffs),
                    $"1 to {LanguageModelHeadSpec.MaxTailClusters} values, or null");
                for (int i = 0; i < cutoffs.Length; i++)
                    Require(cutoffs[i] > (i == 0 ? 0 : cutoffs[i - 1]), nameof(AdaptiveSoftmaxCutoffs), Describe(cutoffs), "positive and strictly increasing");
            }
        }

        /// <summary>The softmax a language model over <paramref name="vocabulary"/> tokens gets: its cutoffs, or none for a full softmax.</summary>
        internal int[] CutoffsFor(int vocabulary, ReadOnlySpan<long> counts)
        {
            bool adaptive = Softmax == LstmLanguageModelSoftmax.Adaptive
                || (Softmax == LstmLanguageModelSoftmax.Automatic && (AdaptiveSoftmaxCutoffs is not null || vocabulary >= AutomaticAdaptiveVocabulary));
            if (!adaptive)
                return [];
            if (AdaptiveSoftmaxCutoffs is not int[] cutoffs)
                return AdaptiveSoftmaxPlan.AutomaticCutoffs(counts);
            Require(cutoffs[^1] < vocabulary, nameof(AdaptiveSoftmaxCutoffs), Describe(cutoffs),
                $"below the vocabulary size, {vocabulary} (the column's keys and the unknown token)");
            return [.. cutoffs];
        }

        private static string Describe(int[] values) => $"[{string.Join(", ", values)}]";

        private static void Require(bool condition, string option, object? value, string expectation)
        {
            if (!condition)
                throw new ArgumentOutOfRangeException(option, value, $"FeaturizeByLstm's option {option} must be {expectation}; it is {value}.");
        }
    }

    /// <summary>
    /// Trains the language model on the rows of <paramref name="input"/> (their labels, if any, are not read); with
    /// <see cref="Options.ValidationFraction"/> above 0, that fraction of the rows is held out to stop early.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or is not text or a vector of keys or floats.</exception>
    /// <exception cref="ArgumentException">The data has no row of two steps or more, or a text column no word seen <see cref="Options.MinimumWordCount"/> times.</exception>
    /// <exception cref="InvalidOperationException">A row holds an empty sequence, a text without a word or a key out of range (the message names the row).</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite; no model is produced.</exception>
    public LstmFeaturizingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Options options = _options;
        options.CancellationToken.ThrowIfCancellationRequested();
        var column = SequenceFeatureColumn.From(input.Schema, options.InputName, options.FeaturesPerStep, "training", acceptsText: true);
        string? vocabularyReport = null;
        if (column.IsText)
        {
            (TextVocabulary words, vocabularyReport) = TextColumnVocabulary.Build(
                input, column.Column, new TextTokenizer(options.LowercaseText, options.KeepPunctuation), options.MinimumWordCount,
                options.MaximumVocabularySize, options.CancellationToken, $"texts in column '{column.Column.Name}'");
            column = column.WithVocabulary(words);
        }
        bool tokens = column.Input.Kind == SequenceInputKind.Tokens;
        if (!tokens && (options.Softmax == LstmLanguageModelSoftmax.Adaptive || options.AdaptiveSoftmaxCutoffs is not null))
        {
            throw new ArgumentOutOfRangeException(nameof(Options.Softmax), options.Softmax,
                $"FeaturizeByLstm's options Softmax and AdaptiveSoftmaxCutoffs are for tokens; column '{options.InputName}' holds floats, which the model predicts by regression (leave Softmax Automatic and the cutoffs null).");
        }
        Standardization? scaling = !tokens && options.StandardizeInputs ? MeasureSteps(input, column) : null;
        List<SequenceExample> examples = ReadExamples(input, column, scaling);
        int vocabulary = tokens ? checked((int)column.Input.TokenKeyCount + 1) : 0;
        long[] counts = tokens ? AdaptiveSoftmaxPlan.Counts(examples.Select(example => example.Tokens!), vocabulary) : [];
        int[] cutoffs = tokens ? options.CutoffsFor(vocabulary, counts) : [];

        using IChannel channel = _host.Start("Training");
        if (vocabularyReport is not null)
            channel.Info(vocabularyReport);
        if (scaling is not null)
            channel.Info($"Input steps standardized: {scaling.Describe()}.");
        EncoderSpec encoder = new()
        {
            Input = column.Input.Kind,
            VocabularySize = vocabulary,
            EmbeddingSize = tokens ? options.EmbeddingSize : 0,
            FeaturesPerStep = column.Input.FeaturesPerStep,
            Cell = LstmOptionsMapping.ToEngine(options.CellType),
            HiddenSize = options.HiddenSize,
            LayerCount = options.LayerCount,
            Bidirectional = options.Bidirectional,
            Dropout = options.Dropout,
        };
        var spec = new NetworkSpec(encoder, new LanguageModelHeadSpec
        {
            OutputSize = tokens ? encoder.VocabularySize : encoder.FeaturesPerStep,
            Bidirectional = options.Bidirectional,
            Dropout = options.Dropout,
            Cutoffs = cutoffs,
            TokenRanking = cutoffs.Length > 0 ? AdaptiveSoftmaxPlan.Ranking(counts) : null,
        });
        int seed = options.Seed ?? MLNetEnvironment.SeedOf(_env, _host);
        var training = new TrainingOptions
        {
            Epochs = options.Epochs,
            BatchSize = options.BatchSize,
            LearningRate = options.LearningRate,
            GradientClipNorm = options.GradientClipNorm,
            EarlyStoppingPatience = options.EarlyStoppingPatience,
            ValidationFraction = options.ValidationFraction,
            Seed = seed,
            Threads = options.NumberOfThreads ?? Math.Max(1, System.Environment.ProcessorCount),
            Progress = new TrainingProgressRelay(channel, options.Progress),
            CancellationToken = options.CancellationToken,
            TokenDropout = tokens ? TokenDropout.OfSingletons(encoder.VocabularySize, options.SingletonDropout, examples) : null,
        };
        long steps = examples.Sum(example => (long)(example.Tokens?.Length ?? example.Features!.Length / encoder.FeaturesPerStep));
        string network = tokens
            ? $"{encoder.VocabularySize} tokens embedded in {encoder.EmbeddingSize}, {encoder.Cell} of {encoder.HiddenSize} hidden units × {encoder.LayerCount} layer(s), {SoftmaxDescription(cutoffs, encoder.HiddenSize)}"
            : $"steps of {encoder.FeaturesPerStep} values, {encoder.Cell} of {encoder.HiddenSize} hidden units × {encoder.LayerCount} layer(s), the next step by squared error";
        channel.Info(
            $"Training an LSTM language model{(options.Bidirectional ? " in both directions" : "")}: {network}; {examples.Count} rows ({steps} steps), " +
            $"holding out {training.ValidationFraction:P0}; up to {training.Epochs} epochs, batch {training.BatchSize}, Adam at {training.LearningRate:G3}, seed {seed}, {training.Threads} thread(s).");
        (SequenceModel model, TrainingResult result) = SequenceModel.Train(spec, training, examples);
        TrainingProgress last = result.History[result.BestEpoch - 1];
        double loss = last.ValidationLoss ?? last.TrainingLoss;
        channel.Info($"Trained {result.EpochsRun} epochs{(result.StoppedEarly ? " (stopped early)" : "")}; keeping epoch {result.BestEpoch}, {(last.ValidationLoss is null ? "training" : "held-out")} loss {loss:F3}" +
            (tokens ? $" nats per token (perplexity {Math.Exp(loss):F1})." : " (mean squared error of a standardized value)."));

        var features = new SequenceFeatures(options.InputName, column.Input, options.MaxSequenceLength) { InputScaling = scaling, Vocabulary = column.Vocabulary };
        return new LstmFeaturizingTransformer(_env, model, features, options.OutputColumnName, options.PoolingModes(), column.TokenTexts());
    }

    /// <summary>How the log names the softmax: "full softmax", or the adaptive one's clusters.</summary>
    private static string SoftmaxDescription(int[] cutoffs, int hidden)
    {
        if (cutoffs.Length == 0)
            return "full softmax";
        var tails = new List<string>();
        for (int i = 0; i < cutoffs.Length; i++)
            tails.Add($"from rank {cutoffs[i]} through {AdaptiveSoftmax<float>.TailWidth(hidden, i)} values");
        return $"adaptive softmax (a head of the {cutoffs[0]} most frequent tokens and {cutoffs.Length} cluster(s): {string.Join("; ", tails)})";
    }

    /// <summary>The schema the transformer will produce: the input's columns and the output vector.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or is not text or a vector of keys or floats.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        string name = _options.InputName;
        if (!SchemaShapeColumns.TryFind(inputSchema, name, out SchemaShape.Column column))
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"FeaturizeByLstm's input column '{name}': expected {ExpectedInput}; found none.");
        bool keys = column.IsKey && column.ItemType == NumberDataViewType.UInt32, floats = !column.IsKey && column.ItemType == NumberDataViewType.Single;
        bool text = !column.IsKey && column.ItemType is TextDataViewType && column.Kind == SchemaShape.Column.VectorKind.Scalar;
        if (!text && (!(keys || floats) || column.Kind == SchemaShape.Column.VectorKind.Scalar))
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"FeaturizeByLstm's input column '{name}': expected {ExpectedInput}; found {SchemaShapeColumns.Describe(column)}.");
        var columns = inputSchema.ToDictionary(c => c.Name);
        columns[_options.OutputColumnName] = PredictionColumnShapes.Features(_options.OutputColumnName);
        return new SchemaShape(columns.Values);
    }

    /// <summary>The mean and standard deviation of each value of a float step over the steps the model reads.</summary>
    private Standardization MeasureSteps(IDataView data, SequenceFeatureColumn column)
    {
        var accumulator = new Standardization.Accumulator(column.Input.FeaturesPerStep);
        using DataViewRowCursor cursor = data.GetRowCursor([column.Column]);
        var sequence = new SequenceRowReader(cursor, column.Column, column.Input, _options.MaxSequenceLength, "training");
        for (long rows = 0; cursor.MoveNext(); rows++)
        {
            if (rows % RowsPerCancellationCheck == 0)
                _options.CancellationToken.ThrowIfCancellationRequested();
            sequence.Read();
            accumulator.Add(sequence.Features);
        }
        return accumulator.ToStandardization();
    }

    private List<SequenceExample> ReadExamples(IDataView data, SequenceFeatureColumn column, Standardization? scaling)
    {
        var examples = new List<SequenceExample>();
        bool anyPrediction = false;
        using (DataViewRowCursor cursor = data.GetRowCursor([column.Column]))
        {
            var sequence = new SequenceRowReader(cursor, column.Column, column.Input, _options.MaxSequenceLength, "training", scaling: scaling, vocabulary: column.Vocabulary);
            while (cursor.MoveNext())
            {
                if (examples.Count % RowsPerCancellationCheck == 0)
                    _options.CancellationToken.ThrowIfCancellationRequested();
                sequence.Read();
                anyPrediction |= sequence.Steps > 1;
                examples.Add(sequence.ToExample([]));
            }
        }
        if (examples.Count == 0)
            throw new ArgumentException($"The training data has no rows; FeaturizeByLstm needs sequences of tokens in column '{column.Column.Name}'.", "input");
        if (!anyPrediction)
            throw new ArgumentException($"Every row of the training data's column '{column.Column.Name}' holds one step; a language model learns from rows of two steps or more.", "input");
        return examples;
    }
}
