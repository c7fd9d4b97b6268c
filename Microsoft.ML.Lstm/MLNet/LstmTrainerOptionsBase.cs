namespace Microsoft.ML.Lstm;

/// <summary>
/// The options every LSTM trainer shares: which columns to read, the network's shape, and how to train it.
/// The defaults train a one-layer bidirectional LSTM with max pooling that does well on short texts
/// of a few thousand rows (about 83 % accuracy on the UCI sentiment sentences' test split, in seconds).
/// </summary>
/// <remarks>
/// The feature column holds one sequence per row, either
/// <list type="bullet">
/// <item>text (a <see cref="string"/> per row): normalized and split into words, which are read through a vocabulary
/// built from the training texts and saved with the model (see <see cref="LowercaseText"/>, <see cref="KeepPunctuation"/>,
/// <see cref="MinimumWordCount"/>, <see cref="MaximumVocabularySize"/>); words outside it are read as an unknown token; or</item>
/// <item>a vector of keys (tokens after <c>MapValueToKey</c>): each key is looked up in a learned
/// embedding with one row per key, plus one row for the missing key 0 (words unseen when the keys were mapped); or</item>
/// <item>a vector of <see cref="float"/> (variable or fixed length) read as steps of <see cref="FeaturesPerStep"/> values.</item>
/// </list>
/// </remarks>
public abstract class LstmTrainerOptionsBase
{
    private protected LstmTrainerOptionsBase()
    {
    }

    /// <summary>The label column. Default: <c>"Label"</c>.</summary>
    public string LabelColumnName = "Label";

    /// <summary>The feature column: text, a vector of keys (tokens) or of floats (numeric steps). Default: <c>"Features"</c>.</summary>
    public string FeatureColumnName = "Features";

    /// <summary>
    /// For a float feature column, how many consecutive values make one step (channels per time step);
    /// each row's length must be a multiple of it. Ignored for key (token) columns. Default: 1.
    /// </summary>
    public int FeaturesPerStep = 1;

    /// <summary>
    /// For a float feature column, whether each feature of a step is standardized with its mean and standard deviation
    /// over the training steps, (x − mean) / std, before the network reads it; the statistics are saved with the model
    /// and applied when scoring, so unscaled values work. Ignored for key (token) columns. Default: true.
    /// </summary>
    public bool StandardizeInputs = true;

    /// <summary>The recurrent cell. Default: <see cref="RecurrentCellType.Lstm"/>.</summary>
    public RecurrentCellType CellType = RecurrentCellType.Lstm;

    /// <summary>Hidden units of each recurrent layer, per direction. Default: 64.</summary>
    public int HiddenSize = 64;

    /// <summary>Stacked recurrent layers; each reads the previous one's outputs. Default: 1.</summary>
    public int LayerCount = 1;

    /// <summary>Whether each recurrent layer also reads the sequence backwards (a bidirectional network). Default: true.</summary>
    public bool Bidirectional = true;

    /// <summary>How a bidirectional layer combines its two directions. Default: <see cref="BidirectionalMergeMode.Concat"/>.</summary>
    public BidirectionalMergeMode MergeMode = BidirectionalMergeMode.Concat;

    /// <summary>Fraction of activations zeroed during training between recurrent layers and before the output layer, in [0, 1). Default: 0.3.</summary>
    public double Dropout = 0.3;

    /// <summary>Size of each token's learned vector, for a key (token) feature column. Default: 64.</summary>
    public int EmbeddingSize = 64;

    /// <summary>
    /// A GloVe, word2vec or fastText text file of word vectors (<c>word v1 … vD</c> per line) to start the
    /// embedding of a text or key (token) feature column from: each word of a text column's vocabulary, or each token
    /// whose text (its key value, as <c>MapValueToKey</c> keeps it) is in the file, starts from that vector, looked up
    /// as written and then in lower case; the other tokens and the unknown token start random. The embedding takes the file's
    /// dimension, and <see cref="EmbeddingSize"/> is ignored. This is how to get good accuracy from a few
    /// thousand rows. null: every vector starts random. Default: null.
    /// </summary>
    public string? PretrainedWordVectorsPath;

    /// <summary>
    /// With <see cref="PretrainedWordVectorsPath"/>: whether training leaves the embedding as loaded (true) or
    /// fine-tunes it (false); a frozen embedding stays exactly as loaded, whatever <see cref="L2"/> and
    /// <see cref="WeightDecay"/> are. Default: false.
    /// </summary>
    public bool FreezeWordVectors;

    #region Pretraining (issue #11)

    /// <summary>
    /// A featurizer (<c>FeaturizeByLstm</c>'s transformer, also as loaded by <c>mlContext.Model.Load</c>) whose encoder
    /// starts this network: the semi-supervised recipe of Dai and Le (2015), a language model trained on plenty of
    /// unlabelled text, then fine-tuned on few labels. The network then takes the featurizer's architecture (cell,
    /// hidden size, layers, directions, embedding size), and <see cref="CellType"/>, <see cref="HiddenSize"/>,
    /// <see cref="LayerCount"/>, <see cref="Bidirectional"/> and <see cref="EmbeddingSize"/> are ignored; the feature
    /// column must hold what the featurizer read: the same keys (map both with the same <c>MapValueToKey</c>), or text
    /// when the featurizer read a text column, which is then split and read with the featurizer's words (and
    /// <see cref="LowercaseText"/>, <see cref="KeepPunctuation"/>, <see cref="MinimumWordCount"/> and
    /// <see cref="MaximumVocabularySize"/> are ignored). null: the encoder starts random. Default: null.
    /// </summary>
    public LstmFeaturizingTransformer? PretrainedEncoder;

    /// <summary>
    /// With <see cref="PretrainedEncoder"/>: whether training leaves the encoder as pretrained and trains the output
    /// layer alone (true), or fine-tunes it too (false). Default: false.
    /// </summary>
    public bool FreezePretrainedEncoder;

    /// <summary>
    /// With <see cref="PretrainedEncoder"/> fine-tuned: the pretrained encoder learns at this fraction of
    /// <see cref="LearningRate"/>, the new output layer at all of it, so that the few labels adjust what the language model
    /// learned rather than overwrite it (discriminative fine-tuning, Howard and Ruder 2018). In (0, 1]. Default: 1.
    /// </summary>
    public double PretrainedEncoderLearningRateScale = 1;

    /// <summary>
    /// With <see cref="PretrainedEncoder"/> fine-tuned: for this many first epochs the encoder stays as pretrained and the
    /// output layer trains alone, then the encoder is fine-tuned too (gradual unfreezing, Howard and Ruder 2018); below
    /// <see cref="Epochs"/>. Default: 0.
    /// </summary>
    public int PretrainedEncoderFrozenEpochs;

    #endregion

    /// <summary>
    /// How the outputs of every step become one vector per sequence. Default: <see cref="SequencePoolingMode.Max"/>
    /// (on the UCI sentiment sentences, over three seeds, max pooling stayed above ML.NET's bag-of-words baseline on
    /// every seed, while attention fell to it on one).
    /// </summary>
    public SequencePoolingMode Pooling = SequencePoolingMode.Max;

    /// <summary>
    /// Longer sequences are cut to their first this many steps, in training and in scoring alike (the
    /// start of a sequence is kept, the rest dropped). 0 keeps every step. Default: 0.
    /// </summary>
    public int MaxSequenceLength;

    /// <summary>Most passes over the training data; early stopping may end training sooner. Default: 20.</summary>
    public int Epochs = 20;

    /// <summary>Sequences per minibatch. Default: 32.</summary>
    public int BatchSize = 32;

    /// <summary>Initial learning rate; it is halved when the validation loss stops improving for two epochs. Default: 0.003.</summary>
    public double LearningRate = 3e-3;

    /// <summary>How gradients become weight updates. Default: <see cref="GradientOptimizer.Adam"/>.</summary>
    public GradientOptimizer Optimizer = GradientOptimizer.Adam;

    /// <summary>Momentum of <see cref="GradientOptimizer.Sgd"/>, in [0, 1). Ignored by Adam. Default: 0.9.</summary>
    public double Momentum = 0.9;

    /// <summary>L2 penalty λ/2·‖w‖² added to the loss. Default: 0.</summary>
    public double L2;

    /// <summary>Decoupled weight decay (AdamW), or SGD's weight decay. Default: 0.</summary>
    public double WeightDecay;

    /// <summary>Gradients are scaled down when their global norm exceeds this; 0 disables clipping. Default: 5.</summary>
    public double GradientClipNorm = 5;

    /// <summary>
    /// Epochs without improvement of the validation loss before training stops (the best epoch's weights
    /// are kept); 0 disables early stopping. Needs a validation set: <c>Fit(train, validation)</c> or
    /// <see cref="ValidationFraction"/>. Default: 3.
    /// </summary>
    public int EarlyStoppingPatience = 3;

    /// <summary>
    /// Without a validation set, this fraction of the training rows (chosen by the seed) is held out to
    /// stop early and reduce the learning rate, in [0, 1); 0 trains on every row for <see cref="Epochs"/>. A split is
    /// held out only when it would hold at least 200 rows (2,000 training rows at 0.1): a smaller one is too noisy to
    /// judge an epoch by, so a smaller training set trains on every row for <see cref="Epochs"/> without early stopping,
    /// and says so in <c>MLContext.Log</c>. Default: 0.1.
    /// </summary>
    public double ValidationFraction = 0.1;

    /// <summary>
    /// Seeds weight initialisation, shuffling, dropout and the validation split; null takes the
    /// <c>MLContext</c>'s seed. A seed and thread count give the same model every time. Default: null.
    /// </summary>
    public int? Seed;

    /// <summary>Threads for training; null uses every core. Default: null.</summary>
    public int? NumberOfThreads;

    /// <summary>Stops training between minibatches with <see cref="OperationCanceledException"/>. Default: none.</summary>
    public CancellationToken CancellationToken;

    /// <summary>
    /// A file where training keeps a checkpoint, written every <see cref="CheckpointInterval"/> (to a temporary file
    /// beside it, then renamed over it, so it is never torn). A run that finds a checkpoint of the same options and data
    /// there, after a crash, a kill or a cancellation, resumes from it and reaches the weights an uninterrupted run
    /// reaches; a checkpoint of another run is set aside (logged) and replaced. Deleted when training ends. Default:
    /// null (no checkpoint).
    /// </summary>
    public string? CheckpointPath;

    /// <summary>How often a checkpoint is written to <see cref="CheckpointPath"/> (after the first minibatch that ends this long after the last); zero writes one after every minibatch. Default: 5 minutes.</summary>
    public TimeSpan CheckpointInterval = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Receives a report after each epoch, on the training thread. The same report goes to
    /// <c>MLContext.Log</c> either way. Default: null.
    /// </summary>
    public IProgress<LstmTrainingProgress>? Progress;

    #region Text input (issue #13)

    /// <summary>
    /// For a text feature column (a <c>String</c> per row): whether the text is folded to lower case before it is split
    /// into words, as ML.NET's <c>NormalizeText</c> does by default. Ignored for key and float columns. Default: true.
    /// </summary>
    public bool LowercaseText = true;

    /// <summary>
    /// For a text feature column: whether punctuation marks are read as tokens (one per mark) or dropped. Words are runs
    /// of letters and digits (an apostrophe inside a word, as in "don't", stays in it). Ignored for key and float
    /// columns. Default: false.
    /// </summary>
    public bool KeepPunctuation;

    /// <summary>
    /// For a text feature column: a word is in the vocabulary only when the training texts hold it at least this many
    /// times; rarer words, like words never seen, are read as the unknown token. The default of 2 lets the words seen
    /// once train the unknown token's vector, which every word unseen in training is read as (on the UCI sentiment
    /// sentences, 82.9 % against 81.8 % with 1, over five seeds). Default: 2.
    /// </summary>
    public int MinimumWordCount = 2;

    /// <summary>
    /// For a text feature column: the vocabulary keeps at most this many words, the most frequent; 0 keeps every word
    /// seen at least <see cref="MinimumWordCount"/> times. Default: 0.
    /// </summary>
    public int MaximumVocabularySize;

    #endregion

    /// <summary>A shallow copy, so that later changes to the user's options do not reach a trainer already made.</summary>
    internal LstmTrainerOptionsBase Snapshot() => (LstmTrainerOptionsBase)MemberwiseClone();

    /// <summary>Throws naming the first option whose value cannot train a network.</summary>
    internal virtual void Validate()
    {
        RequireName(LabelColumnName, nameof(LabelColumnName));
        RequireName(FeatureColumnName, nameof(FeatureColumnName));
        Require(FeaturesPerStep > 0, nameof(FeaturesPerStep), FeaturesPerStep, "positive");
        Require(Enum.IsDefined(CellType), nameof(CellType), CellType, "a RecurrentCellType");
        Require(HiddenSize > 0, nameof(HiddenSize), HiddenSize, "positive");
        Require(LayerCount > 0, nameof(LayerCount), LayerCount, "positive");
        Require(Enum.IsDefined(MergeMode), nameof(MergeMode), MergeMode, "a BidirectionalMergeMode");
        Require(Dropout >= 0 && Dropout < 1, nameof(Dropout), Dropout, "in [0, 1)");
        Require(EmbeddingSize > 0, nameof(EmbeddingSize), EmbeddingSize, "positive");
        Require(Enum.IsDefined(Pooling), nameof(Pooling), Pooling, "a SequencePoolingMode");
        Require(MaxSequenceLength >= 0, nameof(MaxSequenceLength), MaxSequenceLength, "0 (no limit) or positive");
        Require(Epochs > 0, nameof(Epochs), Epochs, "positive");
        Require(BatchSize > 0, nameof(BatchSize), BatchSize, "positive");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "a positive number");
        Require(Enum.IsDefined(Optimizer), nameof(Optimizer), Optimizer, "a GradientOptimizer");
        Require(Momentum >= 0 && Momentum < 1, nameof(Momentum), Momentum, "in [0, 1)");
        Require(L2 >= 0 && double.IsFinite(L2), nameof(L2), L2, "0 or positive");
        Require(WeightDecay >= 0 && double.IsFinite(WeightDecay), nameof(WeightDecay), WeightDecay, "0 or positive");
        Require(GradientClipNorm >= 0 && double.IsFinite(GradientClipNorm), nameof(GradientClipNorm), GradientClipNorm, "0 (no clipping) or positive");
        Require(EarlyStoppingPatience >= 0, nameof(EarlyStoppingPatience), EarlyStoppingPatience, "0 (no early stopping) or positive");
        Require(ValidationFraction >= 0 && ValidationFraction < 1, nameof(ValidationFraction), ValidationFraction, "in [0, 1)");
        if (PretrainedEncoder is not null && !PretrainedEncoder.IsLanguageModel)
            throw new ArgumentException("The LSTM trainer's option PretrainedEncoder needs a featurizer made by FeaturizeByLstm (a language model).", nameof(PretrainedEncoder));
        Require(PretrainedEncoderLearningRateScale > 0 && PretrainedEncoderLearningRateScale <= 1, nameof(PretrainedEncoderLearningRateScale), PretrainedEncoderLearningRateScale, "in (0, 1]");
        Require(PretrainedEncoderFrozenEpochs >= 0 && PretrainedEncoderFrozenEpochs < Epochs, nameof(PretrainedEncoderFrozenEpochs), PretrainedEncoderFrozenEpochs, $"0 or more and below Epochs ({Epochs})");
        if (PretrainedEncoder is null && (PretrainedEncoderLearningRateScale != 1 || PretrainedEncoderFrozenEpochs != 0))
            throw new ArgumentException("The LSTM trainer's options PretrainedEncoderLearningRateScale and PretrainedEncoderFrozenEpochs apply to a PretrainedEncoder; none is given.", nameof(PretrainedEncoder));
        if (PretrainedEncoder is not null && PretrainedWordVectorsPath is not null)
            throw new ArgumentException("The LSTM trainer's options PretrainedEncoder and PretrainedWordVectorsPath both start the embedding; give one.", nameof(PretrainedEncoder));
        Require(MinimumWordCount > 0, nameof(MinimumWordCount), MinimumWordCount, "positive");
        Require(MaximumVocabularySize >= 0, nameof(MaximumVocabularySize), MaximumVocabularySize, "0 (no limit) or positive");
        Require(NumberOfThreads is null or > 0, nameof(NumberOfThreads), NumberOfThreads, "null (every core) or positive");
        Require(CheckpointPath is null || CheckpointPath.Trim().Length > 0, nameof(CheckpointPath), CheckpointPath, "null (no checkpoint) or a file path");
        Require(CheckpointInterval >= TimeSpan.Zero, nameof(CheckpointInterval), CheckpointInterval, "zero or positive");
    }

    private protected static void Require(bool condition, string option, object? value, string expectation)
    {
        if (!condition)
            throw new ArgumentOutOfRangeException(option, value, $"The LSTM trainer's option {option} must be {expectation}; it is {value}.");
    }

    private static void RequireName(string name, string option)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new ArgumentException($"The LSTM trainer's option {option} must name a column.", option);
    }
}
