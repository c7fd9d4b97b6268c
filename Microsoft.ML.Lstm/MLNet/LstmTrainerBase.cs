using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.MLNetInternals;
using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Lstm;

/// <summary>
/// Base of the LSTM trainers: reads the training (and validation) sequences from an <see cref="IDataView"/>,
/// checks every row before any training time is spent, trains the recurrent network, and returns the
/// transformer that scores with it. The tasks (binary, multiclass, regression, tagging) say how labels are read,
/// which head the network ends in, and which columns the transformer writes.
/// </summary>
/// <typeparam name="TTransformer">The transformer <see cref="Fit(IDataView)"/> returns.</typeparam>
public abstract class LstmTrainerBase<TTransformer> : IEstimator<TTransformer>
    where TTransformer : SequencePredictionTransformerBase
{
    /// <summary>Rows read between two looks at the cancellation token.</summary>
    private const int RowsPerCancellationCheck = 1024;

    private protected LstmTrainerBase(IHostEnvironment env, string name, LstmTrainerOptionsBase options)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Environment = env;
        Host = env.Register(name);
        TrainerOptions = options;
    }

    /// <summary>The environment of the <c>MLContext</c> the trainer was made from.</summary>
    private protected IHostEnvironment Environment { get; }

    /// <summary>This trainer's host: its log channel and random source.</summary>
    private protected IHost Host { get; }

    /// <summary>A snapshot of the options the trainer was made with.</summary>
    private protected LstmTrainerOptionsBase TrainerOptions { get; }

    /// <summary>A short name of the task for the log, e.g. "binary classifier".</summary>
    private protected abstract string TaskName { get; }

    /// <summary>Finds and checks the label column of a data set.</summary>
    private protected abstract LabelColumn ReadLabelColumn(DataViewSchema schema, string setName);

    /// <summary>Checks the label column of a planned schema and returns the prediction columns the transformer will add.</summary>
    private protected abstract SchemaShape.Column[] PlanOutputColumns(SchemaShape inputSchema);

    /// <summary>
    /// The head the network ends in, for <paramref name="label"/>: a pooled dense head (classification, regression) or a
    /// per-step one (tagging). Called after every row is read and checked, before training starts, so a task can look
    /// at the targets (a tagger recognises its tag scheme in them).
    /// </summary>
    /// <param name="label">The training data's label column.</param>
    /// <param name="training">The training examples, in row order (example i is row i).</param>
    /// <param name="validation">The validation examples, in row order, when a validation set was given.</param>
    private protected abstract HeadSpec CreateHead(LabelColumn label, IReadOnlyList<SequenceExample> training, IReadOnlyList<SequenceExample>? validation);

    /// <summary>
    /// What the network reads of the tokens' text beside their keys (a tagger's character column), built from the
    /// training data; null, the default, for a network that reads the feature column alone. Called after the feature
    /// and label columns are checked, before any row is read into an example.
    /// </summary>
    private protected virtual SequenceCharacters? ReadCharacters(IDataView trainData, SequenceFeatureColumn features) => null;

    /// <summary>The encoder the options describe, for the feature column's sequences and <paramref name="characters"/> when the task reads them.</summary>
    private protected virtual EncoderSpec CreateEncoder(SequenceFeatureColumn features, SequenceCharacters? characters) =>
        LstmOptionsMapping.ToEncoderSpec(TrainerOptions, features.Input);

    /// <summary>
    /// Lets the task add to how the network is trained (a tagger keeps the epoch of the best validation span F1 and
    /// trains its unknown-token embedding); the default trains as the options say.
    /// </summary>
    private protected virtual TrainingOptions ConfigureTraining(TrainingOptions training, NetworkSpec network, LabelColumn label, IReadOnlyList<SequenceExample> examples) => training;

    /// <summary>
    /// Standardizes the examples' targets in place (training and validation alike, with the training rows' statistics)
    /// and returns the statistics, for a task whose network learns them standardized (regression); the default leaves
    /// the targets as they are and returns null. Called after every row is read, before the head is made.
    /// </summary>
    private protected virtual Standardization? StandardizeTargets(LabelColumn label, IReadOnlyList<SequenceExample> training, IReadOnlyList<SequenceExample>? validation) => null;

    /// <summary>
    /// Whether the feature column may hold raw text, which the trainer splits into words (see
    /// <see cref="LstmTrainerOptionsBase.LowercaseText"/>); true by default, false for a tagger, which tags given tokens.
    /// </summary>
    private protected virtual bool ReadsText => true;

    /// <summary>The transformer over the trained network, reading <paramref name="features"/>.</summary>
    /// <param name="model">The trained network.</param>
    /// <param name="features">What the transformer reads (and how its float steps are standardized).</param>
    /// <param name="label">The training data's label column.</param>
    /// <param name="targetScaling">What <see cref="StandardizeTargets"/> returned: how the network's outputs go back to the label's units.</param>
    private protected abstract TTransformer CreateTransformer(SequenceModel model, SequenceFeatures features, LabelColumn label, Standardization? targetScaling);

    /// <summary>
    /// Trains on <paramref name="input"/>. With <see cref="LstmTrainerOptionsBase.ValidationFraction"/> above 0, that
    /// fraction of the rows is held out to stop early.
    /// </summary>
    public TTransformer Fit(IDataView input) => Fit(input, null);

    /// <summary>
    /// Trains on <paramref name="trainData"/>, stopping early when the loss on <paramref name="validationData"/>
    /// stops improving (see <see cref="LstmTrainerOptionsBase.EarlyStoppingPatience"/>); the weights of the best
    /// epoch on it are kept. Both data sets must hold the same columns (map tokens and labels with the same transformers).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type.</exception>
    /// <exception cref="ArgumentException">A data set has no rows.</exception>
    /// <exception cref="InvalidOperationException">A row holds an empty sequence, a value that is not finite, or a missing or out-of-range label.</exception>
    /// <exception cref="OperationCanceledException">The options' cancellation token was cancelled.</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite; no model is produced.</exception>
    public TTransformer Fit(IDataView trainData, IDataView? validationData)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        LstmTrainerOptionsBase options = TrainerOptions;
        options.CancellationToken.ThrowIfCancellationRequested();

        var trainingFeatures = SequenceFeatureColumn.From(trainData.Schema, options.FeatureColumnName, options.FeaturesPerStep, "training", ReadsText);
        LabelColumn trainingLabel = ReadLabelColumn(trainData.Schema, "training");
        SequenceFeatureColumn? validationFeatures = null;
        LabelColumn? validationLabel = null;
        if (validationData is not null)
        {
            validationFeatures = SequenceFeatureColumn.From(validationData.Schema, options.FeatureColumnName, options.FeaturesPerStep, "validation", ReadsText);
            validationFeatures.CheckMatches(trainingFeatures);
            validationLabel = ReadLabelColumn(validationData.Schema, "validation");
            validationLabel.CheckMatches(trainingLabel);
        }
        string? vocabularyReport = null;
        if (trainingFeatures.IsText)
        {
            (TextVocabulary vocabulary, vocabularyReport) = options.PretrainedEncoder?.Features.Vocabulary is TextVocabulary pretrainedWords
                ? (pretrainedWords, $"Text column '{trainingFeatures.Column.Name}': the pretrained encoder's {pretrainedWords.Count:N0} words, " +
                    $"{pretrainedWords.Tokenizer.Describe()}; other words are the unknown token.")
                : BuildVocabulary(trainData, trainingFeatures);
            trainingFeatures = trainingFeatures.WithVocabulary(vocabulary);
            validationFeatures = validationFeatures?.WithVocabulary(vocabulary);
        }
        SequenceCharacters? characters = ReadCharacters(trainData, trainingFeatures);
        if (characters is not null && validationData is not null)
            CharacterColumn.From(validationData.Schema, characters.ColumnName, "validation");

        Standardization? inputScaling = options.StandardizeInputs && trainingFeatures.Input.Kind == SequenceInputKind.Features
            ? MeasureSteps(trainData, trainingFeatures)
            : null;
        List<SequenceExample> training = ReadExamples(trainData, trainingFeatures, trainingLabel, characters, inputScaling, "training", nameof(trainData));
        List<SequenceExample>? validation = validationData is null
            ? null
            : ReadExamples(validationData, validationFeatures!, validationLabel!, characters, inputScaling, "validation", nameof(validationData));
        Standardization? targetScaling = StandardizeTargets(trainingLabel, training, validation);

        using IChannel channel = Host.Start("Training");
        if (vocabularyReport is not null)
            channel.Info(vocabularyReport);
        if (inputScaling is not null)
            channel.Info($"Input steps standardized: {inputScaling.Describe()}.");
        if (targetScaling is not null)
            channel.Info($"Targets standardized: {targetScaling.Describe()}.");
        PretrainedWordVectors? wordVectors = ReadWordVectors(trainingFeatures, channel);
        EncoderSpec encoder = CreateEncoder(trainingFeatures, characters);
        SequenceNetwork<float>? pretrained = PretrainedEncoderFor(trainingFeatures, characters, ref encoder, channel);
        if (wordVectors is not null)
            encoder = encoder with { EmbeddingSize = wordVectors.Dimension };
        var spec = new NetworkSpec(encoder, CreateHead(trainingLabel, training, validation));
        int seed = options.Seed ?? MLNetEnvironment.SeedOf(Environment, Host);
        TrainingOptions trainingOptions = ConfigureTraining(
            LstmOptionsMapping.ToTrainingOptions(options, seed, new TrainingProgressRelay(channel, options.Progress)), spec, trainingLabel, training);
        if (pretrained is not null && !options.FreezePretrainedEncoder)
        {
            trainingOptions = trainingOptions with
            {
                EncoderLearningRateScale = options.PretrainedEncoderLearningRateScale, EncoderFrozenEpochs = options.PretrainedEncoderFrozenEpochs,
            };
        }
        if (SmallDataSchedule.Applies(trainingOptions, training.Count, validation is not null))
        {
            channel.Info(SmallDataSchedule.Describe(trainingOptions, training.Count));
            trainingOptions = SmallDataSchedule.For(trainingOptions, training.Count, validation is not null);
        }
        channel.Info(DescribeRun(spec, trainingOptions, training.Count, validation?.Count));

        (SequenceModel model, TrainingResult result) = SequenceModel.Train(
            spec, trainingOptions, training, validation,
            prepare: pretrained is not null ? network => EncoderTransplant.StartEncoderFrom(network, pretrained, options.FreezePretrainedEncoder)
                : wordVectors is null ? null : (SequenceNetwork<float> network) => LoadWordVectors(network, wordVectors, options.FreezeWordVectors));

        channel.Info($"Trained {result.EpochsRun} epochs{(result.StoppedEarly ? " (stopped early)" : "")}; keeping the weights of epoch {result.BestEpoch}.");
        var features = new SequenceFeatures(options.FeatureColumnName, trainingFeatures.Input, options.MaxSequenceLength)
        {
            Characters = characters, InputScaling = inputScaling, Vocabulary = trainingFeatures.Vocabulary,
        };
        return CreateTransformer(model, features, trainingLabel, targetScaling);
    }

    /// <summary>
    /// The schema <see cref="Fit(IDataView)"/>'s transformer will produce from <paramref name="inputSchema"/>: its
    /// columns plus the prediction columns. Throws when the feature or label column is missing or of the wrong type.
    /// </summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        SequenceFeatureColumn.CheckShape(inputSchema, TrainerOptions.FeatureColumnName, ReadsText);
        var columns = inputSchema.ToDictionary(column => column.Name);
        foreach (SchemaShape.Column output in PlanOutputColumns(inputSchema))
            columns[output.Name] = output;
        return new SchemaShape(columns.Values);
    }

    #region Pretraining (issue #11)

    /// <summary>
    /// With <see cref="LstmTrainerOptionsBase.PretrainedEncoder"/>: checks that the feature column holds the featurizer's
    /// keys, gives <paramref name="encoder"/> the featurizer's architecture (keeping the options' dropout) and returns
    /// the featurizer's network to copy from; null without one.
    /// </summary>
    private SequenceNetwork<float>? PretrainedEncoderFor(SequenceFeatureColumn features, SequenceCharacters? characters, ref EncoderSpec encoder, IChannel channel)
    {
        if (TrainerOptions.PretrainedEncoder is not LstmFeaturizingTransformer featurizer)
            return null;
        if (characters is not null)
            throw new ArgumentException("The option PretrainedEncoder starts an encoder of token keys alone; it cannot be combined with a character column.", "trainData");
        bool textEncoder = featurizer.Features.Vocabulary is not null;
        if (features.IsText != textEncoder)
        {
            throw new ArgumentOutOfRangeException("trainData", textEncoder
                ? $"The option PretrainedEncoder reads text (FeaturizeByLstm over a text column), but the training data's feature column '{features.Column.Name}' is {features.Column.Type}: give the trainer the text column the featurizer read."
                : $"The option PretrainedEncoder reads keys of {featurizer.Features.Input.TokenKeyCount} tokens, but the training data's feature column '{features.Column.Name}' is {features.Column.Type}: map its tokens with the MapValueToKey the featurizer was trained after.");
        }
        if (features.Input != featurizer.Features.Input)
        {
            throw new ArgumentOutOfRangeException("trainData",
                $"The option PretrainedEncoder reads keys of {featurizer.Features.Input.TokenKeyCount} tokens, but the training data's feature column '{features.Column.Name}' is {features.Column.Type}: map its tokens with the MapValueToKey the featurizer was trained after.");
        }
        SequenceNetwork<float> network = featurizer.Network;
        EncoderSpec pretrained = network.Spec.Encoder;
        encoder = pretrained with { Dropout = encoder.Dropout };
        LstmTrainerOptionsBase options = TrainerOptions;
        string schedule = options.FreezePretrainedEncoder ? "frozen" : ("fine-tuned"
            + (options.PretrainedEncoderLearningRateScale != 1 ? $" at {options.PretrainedEncoderLearningRateScale:G3} × the learning rate" : "")
            + (options.PretrainedEncoderFrozenEpochs > 0 ? $" after {options.PretrainedEncoderFrozenEpochs} epoch(s) frozen" : ""));
        channel.Info($"Starting the encoder from a pretrained language model ({pretrained.Cell} of {pretrained.HiddenSize} hidden units, {(pretrained.Bidirectional ? "bidirectional" : "forward")}), {schedule}.");
        return network;
    }

    #endregion

    /// <summary>
    /// The vocabulary of a text feature column: a pass over the training texts counting their words, each row checked
    /// to hold at least one; the words kept are those the options' minimum count and maximum size allow. Returns it with
    /// the line the log gets.
    /// </summary>
    private (TextVocabulary Vocabulary, string Report) BuildVocabulary(IDataView data, SequenceFeatureColumn features)
    {
        LstmTrainerOptionsBase options = TrainerOptions;
        return TextColumnVocabulary.Build(
            data, features.Column, new TextTokenizer(options.LowercaseText, options.KeepPunctuation), options.MinimumWordCount,
            options.MaximumVocabularySize, options.CancellationToken, "at least one sequence with a label");
    }

    /// <summary>The pretrained vectors of the feature column's tokens, when the options name a file.</summary>
    private PretrainedWordVectors? ReadWordVectors(SequenceFeatureColumn features, IChannel channel)
    {
        string? path = TrainerOptions.PretrainedWordVectorsPath;
        if (path is null)
            return null;
        if (features.Input.Kind != SequenceInputKind.Tokens)
        {
            throw new ArgumentException(
                $"The option PretrainedWordVectorsPath needs a feature column of text or token keys; '{features.Column.Name}' holds numeric steps.", "trainData");
        }
        IReadOnlyList<string> tokens = features.TokenTexts() ?? throw new ArgumentException(
            $"The option PretrainedWordVectorsPath needs the text of each token: the feature column '{features.Column.Name}' has keys without text values (map the tokens with MapValueToKey).", "trainData");
        var vectors = PretrainedWordVectors.Read(path, tokens, TrainerOptions.CancellationToken);
        channel.Info($"Pretrained word vectors: {vectors.Found} of {tokens.Count} tokens found in '{path}' ({vectors.Dimension} values each).");
        return vectors;
    }

    /// <summary>Copies the found vectors into the embedding's rows (token i is row i; the unknown token's row stays random).</summary>
    private static void LoadWordVectors(SequenceNetwork<float> network, PretrainedWordVectors vectors, bool freeze)
    {
        EmbeddingLayer<float> embedding = network.Embedding!;
        Span<float> table = embedding.Vectors; // [tokens + 1, dimension]
        int dimension = embedding.Dimension;
        for (int token = 0; token < vectors.Vectors.Count; token++)
        {
            if (vectors.Vectors[token] is float[] vector)
                vector.CopyTo(table.Slice(token * dimension, dimension));
        }
        embedding.Trainable = !freeze;
    }

    /// <summary>
    /// The mean and standard deviation of each feature of a float step over the steps of the training data that the
    /// network reads (the first <c>MaxSequenceLength</c> of each row); a pass over the feature column alone, checking
    /// each row as <see cref="ReadExamples"/> does.
    /// </summary>
    private Standardization MeasureSteps(IDataView data, SequenceFeatureColumn features)
    {
        CancellationToken cancellation = TrainerOptions.CancellationToken;
        var accumulator = new Standardization.Accumulator(features.Input.FeaturesPerStep);
        using DataViewRowCursor cursor = data.GetRowCursor([features.Column]);
        var sequence = new SequenceRowReader(cursor, features.Column, features.Input, TrainerOptions.MaxSequenceLength, "training");
        for (long rows = 0; cursor.MoveNext(); rows++)
        {
            if (rows % RowsPerCancellationCheck == 0)
                cancellation.ThrowIfCancellationRequested();
            sequence.Read();
            accumulator.Add(sequence.Features);
        }
        return accumulator.ToStandardization();
    }

    /// <summary>Reads every row into an example, checking each; throws before training when one is bad or there are none.</summary>
    private List<SequenceExample> ReadExamples(
        IDataView data, SequenceFeatureColumn features, LabelColumn label, SequenceCharacters? characters, Standardization? inputScaling,
        string setName, string parameterName)
    {
        CancellationToken cancellation = TrainerOptions.CancellationToken;
        var examples = new List<SequenceExample>();
        DataViewSchema.Column? characterColumn = characters is null ? null : CharacterColumn.From(data.Schema, characters.ColumnName, setName);
        DataViewSchema.Column[] columns = characterColumn is DataViewSchema.Column text ? [features.Column, label.Column, text] : [features.Column, label.Column];
        using (DataViewRowCursor cursor = data.GetRowCursor(columns))
        {
            var sequence = new SequenceRowReader(
                cursor, features.Column, features.Input, TrainerOptions.MaxSequenceLength, setName, characterColumn, characters, inputScaling, features.Vocabulary);
            TargetGetter readTargets = label.CreateTargetGetter(cursor);
            while (cursor.MoveNext())
            {
                if (examples.Count % RowsPerCancellationCheck == 0)
                    cancellation.ThrowIfCancellationRequested();
                sequence.Read();
                var targets = new float[label.TargetCount(sequence.Steps)];
                readTargets(sequence.RowSteps, targets);
                examples.Add(sequence.ToExample(targets));
            }
        }
        if (examples.Count == 0)
            throw NoRows(setName, parameterName);
        return examples;
    }

    private string DescribeRun(NetworkSpec network, TrainingOptions training, int trainingRows, int? validationRows)
    {
        EncoderSpec spec = network.Encoder;
        string input = spec.Input == SequenceInputKind.Tokens
            ? $"{spec.VocabularySize} tokens embedded in {spec.EmbeddingSize}"
            : $"{spec.FeaturesPerStep} features per step";
        if (spec.ReadsCharacters)
            input += $", each spelled by a character BiLSTM of {spec.CharacterHiddenSize} ({spec.CharacterVocabularySize} character ids embedded in {spec.CharacterEmbeddingSize})";
        if (spec.ExtraFeaturesPerStep > 0)
            input += $", {spec.ExtraFeaturesPerStep} word-shape values per token";
        string validation = validationRows is int count
            ? $", validating on {count} given rows"
            : training.ValidationFraction > 0 ? $", holding out {training.ValidationFraction:P0} for validation" : "";
        return $"Training an LSTM {TaskName}: {input}, {(spec.Bidirectional ? "bidirectional " : "")}{spec.Cell} of {spec.HiddenSize} hidden units × {spec.LayerCount} layer(s), " +
               $"{Describe(network.Head)}; {trainingRows} training rows{validation}; up to {training.Epochs} epochs, " +
               $"batch {training.BatchSize}, {training.Optimizer} at {training.LearningRate:G3}, seed {training.Seed}, {training.Threads} thread(s).";
    }

    private static string Describe(HeadSpec head) => head switch
    {
        PooledHeadSpec pooled => $"{pooled.Pooling} pooling, {pooled.OutputSize} output(s)",
        CrfHeadSpec crf => $"a CRF over {crf.ClassCount} tags" + (crf.AllowedTransitions is null ? "" : " with the tag scheme's constraints"),
        StepSoftmaxHeadSpec softmax => $"a softmax over {softmax.ClassCount} tags at each step",
        _ => head.GetType().Name,
    };

    private static ArgumentException NoRows(string setName, string parameterName) =>
        new($"The {setName} data has no rows; expected at least one sequence with a label.", parameterName);
}
