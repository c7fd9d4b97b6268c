using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Lstm;

/// <summary>
/// Tags every token of each sentence with a trained recurrent tagger (<see cref="LstmTaggerTrainer"/>). Writes
/// <c>PredictedLabel</c>, a variable-length vector with one tag key per token carrying the training label's key
/// values (so <c>MapKeyToValue</c> gives the tags back), and <c>Score</c>, a variable-length vector of floats with
/// each token's probability of its tag: with a CRF, the marginal probability p(tag at this token | sentence) from the
/// forward-backward algorithm (how sure the model is of that one tag, not of the whole sequence); with a softmax,
/// the softmax probability of the chosen tag. <c>MulticlassClassification.EvaluateTagging</c> reads them.
/// </summary>
/// <remarks>
/// Each row is one sentence: its token keys and, for a tagger trained with a character column, the tokens as written
/// (a vector of text as long as the token vector). A row fails, naming the column and the row, when its sentence is
/// empty or the two vectors differ in length.
/// </remarks>
public sealed partial class SequenceTaggingTransformer : SequencePredictionTransformerBase
{
    /// <summary>The training label's key values, one per tag; empty when the label had none.</summary>
    private readonly string[] _tagNames;
    private readonly PredictionColumn[] _columns;

    /// <summary>A transformer over a trained network with a per-step head (a CRF or a softmax over the tags).</summary>
    /// <param name="env">The host environment.</param>
    /// <param name="model">The network; a CRF or per-step softmax head over the tags.</param>
    /// <param name="features">What the feature column (and the character column, if any) holds.</param>
    /// <param name="tagNames">The label's key values, one per tag, or empty.</param>
    internal SequenceTaggingTransformer(IHostEnvironment env, SequenceModel model, SequenceFeatures features, IReadOnlyList<string> tagNames)
        : base(env, nameof(SequenceTaggingTransformer), model, features)
    {
        (TagCount, UsesCrf) = model.Spec.Head switch
        {
            CrfHeadSpec crf => (crf.ClassCount, true),
            StepSoftmaxHeadSpec softmax => (softmax.ClassCount, false),
            _ => throw new InvalidDataException("A tagger needs a network that predicts a tag at every step (a CRF or a per-step softmax); this one pools each sequence into one prediction."),
        };
        _tagNames = [.. tagNames];
        if (_tagNames.Length != 0 && _tagNames.Length != TagCount)
            throw new InvalidDataException($"The network has {TagCount} tags but {_tagNames.Length} tag names are given.");
        // A CRF predicts [tag, its marginal] per step (the marginal, exp(α + β − log Z), may round to just above 1:
        // the column clamps it); a softmax head the K logits per step.
        int perStep = UsesCrf ? 2 : TagCount;
        _columns =
        [
            new StepPredictionColumn<float>(PredictionColumnNames.Score, NumberDataViewType.Single, perStep,
                UsesCrf ? static step => MathF.Min(step[1], 1f) : ProbabilityOfArgMax),
            new StepPredictionColumn<uint>(PredictionColumnNames.PredictedLabel, new KeyDataViewType(typeof(uint), TagCount), perStep,
                UsesCrf ? static step => (uint)step[0] + 1 : static logits => (uint)Classification.ArgMax(logits) + 1, classNames: _tagNames),
        ];
    }

    /// <summary>Number of tags.</summary>
    public int TagCount { get; }

    /// <summary>Whether a CRF decodes the tags (else a softmax at each token).</summary>
    public bool UsesCrf { get; }

    /// <summary>The column of the tokens as written that the tagger spells, or null when it reads the token keys alone.</summary>
    public string? CharacterColumnName => Features.Characters?.ColumnName;

    private protected override IReadOnlyList<PredictionColumn> PredictionColumns => _columns;

    private protected override SequencePredictionTransformerBase WithModelCore(SequenceModel model) =>
        new SequenceTaggingTransformer(Host, model, Features, _tagNames);

    private protected override void SaveExtras(ModelFileWriter file) => SequenceTransformerFile.WriteClassNames(file, _tagNames);

    /// <summary>softmax(logits)[argmax] = 1 / Σ_j exp(l_j − l_max).</summary>
    private static float ProbabilityOfArgMax(ReadOnlySpan<float> logits)
    {
        float max = logits[Classification.ArgMax(logits)];
        double sum = 0;
        foreach (float logit in logits)
            sum += Math.Exp(logit - max);
        return (float)(1 / sum);
    }

    /// <summary>
    /// A transformer that writes each sentence as one float vector: the tagger's encoder outputs at every token (what
    /// its tag layer reads, with its character and word-shape features when it has them), pooled by
    /// <paramref name="pooling"/>; for classifying or clustering whole sentences with any ML.NET component. A tagger
    /// pools nothing itself, so the vector is pooled here, with the same code the classifiers pool with. The model
    /// is not changed.
    /// </summary>
    /// <param name="outputColumnName">The column written.</param>
    /// <param name="pooling">How the tokens' vectors become one: the last state, the mean, the max, or several concatenated.</param>
    /// <returns>A featurizer reading this tagger's token (and character) columns.</returns>
    public LstmFeaturizingTransformer AsFeaturizer(string outputColumnName = "Features", LstmFeaturePooling pooling = LstmFeaturePooling.Mean) =>
        LstmFeaturizingTransformer.FromPredictor(Host, Model, Features, outputColumnName, LstmFeaturizingTransformer.ModesOf(pooling));
}
