using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.MLNetInternals;
using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Lstm;

/// <summary>
/// Trains a sequence tagger: a recurrent network that gives every token of a sentence one tag (named entities,
/// part of speech, chunks). Made by <c>mlContext.MulticlassClassification.Trainers.LstmTagger(...)</c>.
/// </summary>
/// <remarks>
/// <para>The network: each token's embedding, joined (with a character column) by what a character BiLSTM reads in the
/// token's spelling and by four word-shape values, through a bidirectional LSTM, to per-token tag scores decoded by a
/// linear-chain CRF (Viterbi) or, with <see cref="Options.UseCrf"/> off, a softmax at each token. The spelling is what
/// tags a name the training data never held.</para>
/// <para>The feature column is a variable-length vector of token keys (<c>MapValueToKey</c> over a <c>string[]</c>
/// column); the label is a variable-length vector of tag keys (<c>MapValueToKey</c> over the tags), one per token;
/// the optional character column is the tokens as written (the <c>string[]</c> itself), one per token. The returned
/// transformer writes <c>PredictedLabel</c> (a variable-length vector of tag keys with the label's key values, so
/// <c>MapKeyToValue</c> gives the tags back) and <c>Score</c> (each token's probability of its tag), which
/// <c>MulticlassClassification.EvaluateTagging</c> reads.</para>
/// <para>With the CRF, the tag scheme (BIO, IOB1, IOBES, BILOU, or plain tags) is recognised from the label's key
/// values and the training sentences, and its rules constrain decoding: the tagger never emits a sequence the
/// scheme forbids, such as I-X after O in BIO. Tags that mix schemes are refused before training, naming them.</para>
/// </remarks>
public sealed class LstmTaggerTrainer : LstmTrainerBase<SequenceTaggingTransformer>
{
    /// <summary>
    /// Options of <see cref="LstmTaggerTrainer"/>; see <see cref="LstmTrainerOptionsBase"/> for the shared ones. A tagger
    /// starts from other defaults than the sequence classifiers, as tagging networks in the literature do (Lample et
    /// al. 2016, "Neural Architectures for Named Entity Recognition"; Reimers and Gurevych 2017, "Optimal
    /// Hyperparameters for Deep LSTM-Networks for Sequence Labeling Tasks"):
    /// <list type="bullet">
    /// <item><see cref="LstmTrainerOptionsBase.HiddenSize"/> 100 (not 64): each token's tag depends on its whole
    /// context in both directions; 100 units per direction is Lample et al.'s word BiLSTM, and a size Reimers and
    /// Gurevych found to work well across tagging tasks.</item>
    /// <item><see cref="LstmTrainerOptionsBase.Dropout"/> 0.5 (not 0.3): tagging corpora are small (a few thousand
    /// sentences) and a tagger memorises their words quickly; 0.5 is the rate both studies settled on (they apply it
    /// elsewhere in the network: here it acts between recurrent layers and before the tag scores).</item>
    /// <item><see cref="LstmTrainerOptionsBase.Epochs"/> 30 (not 20): per-token tasks keep improving for more
    /// passes; early stopping on the held-out <see cref="LstmTrainerOptionsBase.ValidationFraction"/> (10 %) ends
    /// training after <see cref="LstmTrainerOptionsBase.EarlyStoppingPatience"/> (3) epochs without improvement,
    /// keeping the best epoch's weights, so 30 is a ceiling rather than a cost.</item>
    /// <item><see cref="LstmTrainerOptionsBase.Bidirectional"/> true, as for the classifiers.</item>
    /// </list>
    /// Two things differ from the classifiers' training, both as taggers are usually trained. An epoch is judged by the
    /// micro-averaged span F1 of its tags on the validation set (ties by the validation loss), which decides the weights
    /// kept, early stopping and the learning-rate schedule: a tagger's validation loss can rise from the second epoch
    /// on while its F1 still climbs for many (on WNUT 2017, judging by the loss kept an epoch that tagged almost
    /// everything O). And each token seen only once in training is read as the unknown token half the time (Lample et
    /// al.'s singleton dropout), so that the unknown token's embedding, which stands for every word the training data
    /// did not hold, is trained rather than left at its random start.
    /// <see cref="LstmTrainerOptionsBase.Pooling"/> is ignored (a tagger predicts at every token, it pools nothing),
    /// and <see cref="LstmTrainerOptionsBase.MaxSequenceLength"/> must stay 0: a tagger tags every token.
    /// </summary>
    public sealed class Options : LstmTrainerOptionsBase
    {
        /// <summary>The tagging defaults (see the class's summary for why they differ from the classifiers').</summary>
        public Options()
        {
            HiddenSize = 100;
            Dropout = 0.5;
            Epochs = 30;
        }

        /// <summary>
        /// The tokens as written: a vector of text with one entry per token of the feature column (the <c>string[]</c>
        /// that <c>MapValueToKey</c> mapped to the token keys). With it, a character BiLSTM reads each token's
        /// spelling, so names and words never seen in training still get features; the characters it knows are every
        /// character of the training tokens (up to the 1,000 most frequent; others are read as one unknown character).
        /// null: the network reads the token keys alone. Default: null.
        /// </summary>
        public string? CharacterColumnName;

        /// <summary>
        /// Whether a linear-chain CRF decodes the tags (the whole sentence's most probable tag sequence under learned
        /// transition scores and the tag scheme's rules), rather than a softmax choosing each token's tag on its own.
        /// The CRF holds up to 1,024 tags. Default: true.
        /// </summary>
        public bool UseCrf = true;

        /// <summary>Values per character of the character encoder's embedding, with <see cref="CharacterColumnName"/>. Default: 16.</summary>
        public int CharacterEmbeddingSize = 16;

        /// <summary>
        /// Hidden units per direction of the character BiLSTM, with <see cref="CharacterColumnName"/>; each token gets twice
        /// this many features from its spelling. Default: 24.
        /// </summary>
        public int CharacterHiddenSize = 24;

        /// <summary>
        /// With <see cref="CharacterColumnName"/>: whether each token also gets four 0/1 word-shape values from its text
        /// (first letter upper case, all upper case, contains a digit, contains punctuation), the case a lower-cased
        /// word vector loses. Ignored without a character column. Default: true.
        /// </summary>
        public bool WordShapeFeatures = true;

        internal override void Validate()
        {
            base.Validate();
            if (CharacterColumnName is not null && string.IsNullOrWhiteSpace(CharacterColumnName))
                throw new ArgumentException($"The LSTM trainer's option {nameof(CharacterColumnName)} must name a column, or be null for none.", nameof(CharacterColumnName));
            Require(CharacterEmbeddingSize is > 0 and <= EncoderSpec.MaxWidth, nameof(CharacterEmbeddingSize), CharacterEmbeddingSize, $"in [1, {EncoderSpec.MaxWidth}]");
            Require(CharacterHiddenSize is > 0 and <= EncoderSpec.MaxWidth, nameof(CharacterHiddenSize), CharacterHiddenSize, $"in [1, {EncoderSpec.MaxWidth}]");
            Require(MaxSequenceLength == 0, nameof(MaxSequenceLength), MaxSequenceLength, "0 for a tagger, which tags every token");
        }
    }

    /// <summary>Rows read between two looks at the cancellation token while counting characters.</summary>
    private const int RowsPerCancellationCheck = 1024;

    /// <summary>The chance that a training token seen only once is read as the unknown token, per occurrence and batch (Lample et al. 2016).</summary>
    private const double SingletonDropout = 0.5;

    private readonly Options options;

    internal LstmTaggerTrainer(IHostEnvironment env, Options options)
        : base(env, nameof(LstmTaggerTrainer), (options ?? throw new ArgumentNullException(nameof(options))).Snapshot())
    {
        this.options = (Options)TrainerOptions;
    }

    private protected override string TaskName => "tagger";

    // A tagger tags the tokens it is given, one tag per token: raw text split by the trainer would not line up with
    // the label's tags, so its feature column holds token keys (map the tokens with MapValueToKey).
    private protected override bool ReadsText => false;

    private protected override LabelColumn ReadLabelColumn(DataViewSchema schema, string setName)
    {
        bool tokens = schema.GetColumnOrNull(options.FeatureColumnName)?.Type is VectorDataViewType { ItemType: KeyDataViewType };
        return KeyVectorLabelColumn.From(schema, options.LabelColumnName, setName, stepName: tokens ? "token" : "step");
    }

    private protected override SchemaShape.Column[] PlanOutputColumns(SchemaShape inputSchema)
    {
        SchemaShape.Column label = KeyVectorLabelColumn.CheckShape(inputSchema, options.LabelColumnName);
        if (options.CharacterColumnName is string characters)
            CharacterColumn.CheckShape(inputSchema, characters);
        return PredictionColumnShapes.Tagging(label);
    }

    private protected override SequenceCharacters? ReadCharacters(IDataView trainData, SequenceFeatureColumn features)
    {
        if (options.CharacterColumnName is not string name)
            return null;
        if (features.Input.Kind != SequenceInputKind.Tokens)
        {
            throw new ArgumentOutOfRangeException(nameof(trainData),
                $"The character column '{name}' spells tokens, but the feature column '{features.Column.Name}' holds numeric steps; expected a vector of token keys.");
        }
        DataViewSchema.Column column = CharacterColumn.From(trainData.Schema, name, "training");
        var counts = new Dictionary<int, long>();
        VBuffer<ReadOnlyMemory<char>> texts = default;
        long rows = 0;
        using (DataViewRowCursor cursor = trainData.GetRowCursor([column]))
        {
            ValueGetter<VBuffer<ReadOnlyMemory<char>>> getTexts = cursor.GetGetter<VBuffer<ReadOnlyMemory<char>>>(column);
            while (cursor.MoveNext())
            {
                if (rows++ % RowsPerCancellationCheck == 0)
                    options.CancellationToken.ThrowIfCancellationRequested();
                getTexts(ref texts);
                foreach (ReadOnlyMemory<char> text in texts.DenseValues())
                    CharacterVocabulary.Count(text.Span, counts);
            }
        }
        return new SequenceCharacters(name, CharacterVocabulary.FromCounts(counts), options.WordShapeFeatures);
    }

    private protected override EncoderSpec CreateEncoder(SequenceFeatureColumn features, SequenceCharacters? characters)
    {
        EncoderSpec encoder = base.CreateEncoder(features, characters);
        return characters is null ? encoder : encoder with
        {
            CharacterVocabularySize = characters.Vocabulary.Size,
            CharacterEmbeddingSize = options.CharacterEmbeddingSize,
            CharacterHiddenSize = options.CharacterHiddenSize,
            ExtraFeaturesPerStep = characters.ExtraFeaturesPerStep,
        };
    }

    private protected override HeadSpec CreateHead(LabelColumn label, IReadOnlyList<SequenceExample> training, IReadOnlyList<SequenceExample>? validation)
    {
        var tags = (KeyVectorLabelColumn)label;
        if (!options.UseCrf)
            return new StepSoftmaxHeadSpec { ClassCount = tags.ClassCount, Dropout = options.Dropout };
        if (tags.ClassCount > CrfHeadSpec.MaxClassCount)
        {
            throw new ArgumentOutOfRangeException("trainData",
                $"The training data's label column '{label.Column.Name}' has {tags.ClassCount} tags; a CRF holds at most {CrfHeadSpec.MaxClassCount}. " +
                $"Set the option {nameof(Options.UseCrf)} to false to tag with a softmax.");
        }
        var head = new CrfHeadSpec { ClassCount = tags.ClassCount, Dropout = options.Dropout };
        if (tags.ClassNames.Count == 0)
            return head; // Keys without text: nothing says which tags begin or continue an entity.
        TagScheme scheme = DetectScheme(tags, training);
        if (scheme.Kind == TagSchemeKind.Plain)
            return head;
        TagTransitions transitions = scheme.Transitions();
        CheckFollowsScheme(tags, scheme, transitions, training, "training");
        if (validation is not null)
            CheckFollowsScheme(tags, scheme, transitions, validation, "validation");
        return head with
        {
            AllowedTransitions = transitions.Allowed.ToArray(),
            AllowedStarts = transitions.AllowedStart.ToArray(),
            AllowedEnds = transitions.AllowedEnd.ToArray(),
        };
    }

    /// <summary>
    /// Keeps the epoch with the best validation span F1 (not the lowest loss), and trains the unknown token's embedding
    /// by reading the training tokens seen once as unknown half the time.
    /// </summary>
    private protected override TrainingOptions ConfigureTraining(TrainingOptions training, NetworkSpec network, LabelColumn label, IReadOnlyList<SequenceExample> examples)
    {
        var tags = (KeyVectorLabelColumn)label;
        if (network.Encoder.Input == SequenceInputKind.Tokens && TokenDropout.OfSingletons(network.Encoder.VocabularySize, SingletonDropout, examples) is TokenDropout dropout)
            training = training with { TokenDropout = dropout };
        if (tags.ClassNames.Count > 0)
            training = training with { ValidationScore = SpanF1(ScoringScheme(tags, examples), network.Head) };
        return training;
    }

    private protected override SequenceTaggingTransformer CreateTransformer(SequenceModel model, SequenceFeatures features, LabelColumn label, Standardization? targetScaling) =>
        new(Environment, model, features, ((KeyVectorLabelColumn)label).ClassNames);

    /// <summary>
    /// The scheme the validation sentences' spans are read by: the training labels' (as the CRF's constraints); for a
    /// softmax tagger over tags of no one scheme, every tag its own one-token entity (conlleval's <c>-r</c>).
    /// </summary>
    private static TagScheme ScoringScheme(KeyVectorLabelColumn tags, IReadOnlyList<SequenceExample> training)
    {
        try
        {
            return DetectScheme(tags, training);
        }
        catch (ArgumentException)
        {
            return TagScheme.Create(TagSchemeKind.Plain, tags.ClassNames);
        }
    }

    /// <summary>
    /// The micro-averaged span F1 of the network's predictions against the examples' tags, by conlleval's rules: a
    /// CRF predicts [tag, marginal] per token, a softmax head K logits per token (its tag is the largest).
    /// </summary>
    private static Func<IReadOnlyList<SequenceExample>, IReadOnlyList<float[]>, double> SpanF1(TagScheme scheme, HeadSpec head)
    {
        bool crf = head is CrfHeadSpec;
        int perStep = crf ? 2 : scheme.Count;
        return (examples, predictions) =>
        {
            var counts = new TaggingCounts(scheme);
            int[] gold = [], predicted = [];
            for (int i = 0; i < examples.Count; i++)
            {
                float[] targets = examples[i].Targets;
                ReadOnlySpan<float> scores = predictions[i];
                int steps = targets.Length;
                if (gold.Length < steps)
                    (gold, predicted) = (new int[steps], new int[steps]);
                for (int t = 0; t < steps; t++)
                {
                    gold[t] = (int)targets[t];
                    ReadOnlySpan<float> step = scores.Slice(t * perStep, perStep);
                    predicted[t] = crf ? (int)step[0] : Classification.ArgMax(step);
                }
                counts.Add(gold.AsSpan(0, steps), predicted.AsSpan(0, steps));
            }
            return counts.ToMetrics().MicroF1Score;
        };
    }

    /// <summary>The scheme of the label's key values, told apart by the training sentences' tags (BIO from IOB1).</summary>
    private static TagScheme DetectScheme(KeyVectorLabelColumn tags, IReadOnlyList<SequenceExample> training)
    {
        IEnumerable<IReadOnlyList<int>> sequences = training.Select(example => (IReadOnlyList<int>)Array.ConvertAll(example.Targets, tag => (int)tag));
        try
        {
            return TagScheme.Detect(tags.ClassNames, sequences);
        }
        catch (ArgumentException mixed)
        {
            throw new ArgumentException(
                $"The training data's label column '{tags.Column.Name}' does not follow one tag scheme, which the CRF needs to constrain its decoding: {mixed.Message}",
                "trainData", mixed);
        }
    }

    /// <summary>
    /// Throws, naming the column, the row and the tags, when a sentence's tags break the scheme's rules: the CRF could
    /// not score such a sentence (its tag path would be forbidden), so it is refused before training starts.
    /// </summary>
    private static void CheckFollowsScheme(KeyVectorLabelColumn tags, TagScheme scheme, TagTransitions transitions, IReadOnlyList<SequenceExample> examples, string setName)
    {
        for (int row = 0; row < examples.Count; row++)
        {
            float[] targets = examples[row].Targets;
            string? problem = null;
            for (int step = 0; step < targets.Length && problem is null; step++)
            {
                int tag = (int)targets[step];
                if (step == 0 && !transitions.AllowedStart[tag])
                    problem = $"the sentence begins with '{scheme.Tags[tag]}'";
                else if (step > 0 && !transitions.IsAllowed((int)targets[step - 1], tag))
                    problem = $"'{scheme.Tags[tag]}' at step {step} follows '{scheme.Tags[(int)targets[step - 1]]}'";
                else if (step == targets.Length - 1 && !transitions.AllowedEnd[tag])
                    problem = $"the sentence ends with '{scheme.Tags[tag]}'";
            }
            if (problem is not null)
            {
                throw new InvalidOperationException(
                    $"Column '{tags.Column.Name}', row {row} of the {setName} data: {problem}, which the {TagScheme.NameOf(scheme.Kind)} scheme of its tags does not allow; " +
                    $"expected tags that follow the scheme's rules (or the option {nameof(Options.UseCrf)} set to false, to tag without them).");
            }
        }
    }
}
