using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// A complete network: an encoder (<see cref="SequenceEncoder{T}"/>) and a head (<see cref="ISequenceHead{T}"/>),
/// their parameters in one <see cref="ParameterStore{T}"/>. Training runs <see cref="Loss"/> then
/// <see cref="Backward"/>; scoring runs <see cref="Predict"/>. Nothing here depends on which head it is.
/// </summary>
internal sealed class SequenceNetwork<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private T[] featureGradient = Array.Empty<T>();
    private T[] predictions = Array.Empty<T>();
    private RecurrentState<T>? finalStateGradient;
    private EncodedBatch<T>? trained;

    /// <summary>Builds the network and initialises its weights from <paramref name="seed"/>.</summary>
    /// <param name="spec">The architecture.</param>
    /// <param name="seed">Seeds weight initialisation and dropout masks.</param>
    /// <param name="threads">Threads the recurrence and the large products may use.</param>
    public SequenceNetwork(NetworkSpec spec, int seed, int threads)
        : this(spec, new ResumableRandom(seed), threads)
    {
    }

    private SequenceNetwork(NetworkSpec spec, Random? random, int threads)
    {
        spec.Validate();
        Spec = spec;
        Threads = Math.Max(1, threads);
        Random = random as ResumableRandom;
        Parameters = new ParameterStore<T>(spec.ParameterCount());
        // One random source, drawn in a fixed order (encoder, then head; dropout masks later): a seed gives one network.
        Encoder = new SequenceEncoder<T>(spec.Encoder, Parameters, random, threads);
        Head = spec.Head.Create(Parameters, spec.Encoder, random);
        if (Head is LanguageModelHead<T> languageModel)
            languageModel.Threads = threads; // its softmax over a vocabulary is as large a product as the recurrence
        if (Parameters.Count != spec.ParameterCount())
            throw new InvalidOperationException($"The network has {Parameters.Count} weights; its spec counts {spec.ParameterCount()}.");
    }

    /// <summary>
    /// A network with every weight zero and no initialisation work done (the recurrent weights' orthogonal
    /// initialisation alone is O(H³)): what a loader fills from a file.
    /// </summary>
    public static SequenceNetwork<T> CreateForLoading(NetworkSpec spec, int threads) => new(spec, random: null, threads);

    /// <summary>The architecture.</summary>
    public NetworkSpec Spec { get; }

    /// <summary>Threads the recurrence and the large products may use (at least 1); any count gives the same bits.</summary>
    public int Threads { get; }

    /// <summary>
    /// The random source the weights were initialised from and the dropout masks are drawn from, whose state a
    /// training checkpoint saves; null for a network made for loading (which draws its masks elsewhere).
    /// </summary>
    internal ResumableRandom? Random { get; }

    /// <summary>Every weight and its gradient.</summary>
    public ParameterStore<T> Parameters { get; }

    /// <summary>The input and the recurrent stack.</summary>
    public SequenceEncoder<T> Encoder { get; }

    /// <summary>The head.</summary>
    public ISequenceHead<T> Head { get; }

    /// <summary>The embedding table, for a token input (to load pretrained vectors or freeze it).</summary>
    public EmbeddingLayer<T>? Embedding => Encoder.Embedding;

    /// <summary>Values <see cref="Predict"/> gives for a sequence of <paramref name="length"/> steps.</summary>
    public int PredictionCount(int length) => Head.PredictionCount(length);

    /// <summary>
    /// A network with the same weights (and compressed weights) and its own workspaces, on <paramref name="threads"/>
    /// threads: what a scoring engine runs. One sequence on several threads splits each step by hidden units, a batch
    /// splits by sequences; the predictions are the same bits for any count.
    /// </summary>
    /// <param name="threads">Threads the copy may use, at least 1.</param>
    public SequenceNetwork<T> CloneForInference(int threads = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var clone = CreateForLoading(Spec, threads);
        Parameters.Values.CopyTo(clone.Parameters.Values, 0);
        clone.Parameters.MarkChanged();
        clone.Parameters.Compression = Parameters.Compression; // read-only, so shared
        return clone;
    }

    /// <summary>
    /// The head's loss on <paramref name="batch"/> against <paramref name="targets"/> (each sequence's
    /// <see cref="ISequenceHead{T}.TargetCount"/> values, in the caller's order). <paramref name="training"/> enables
    /// dropout and keeps what <see cref="Backward"/> needs.
    /// </summary>
    public HeadLoss Loss(SequenceBatch<T> batch, ReadOnlySpan<T> targets, bool training)
    {
        EncodedBatch<T> encoded = Encoder.Forward(batch, training);
        trained = training ? encoded : null;
        return Head.Loss(encoded, targets, training);
    }

    /// <summary>Back-propagates the last training <see cref="Loss"/> through head and encoder, accumulating into <see cref="ParameterStore{T}.Gradients"/> (the caller zeroes them).</summary>
    public void Backward()
    {
        EncodedBatch<T> encoded = trained ?? throw new InvalidOperationException("Backward needs a training Loss first.");
        Span<T> features = Workspace.Ensure(ref featureGradient, encoded.Layout.TotalSteps * encoded.FeatureSize);
        RecurrentState<T>? stateGradient = null;
        if (Head.ReadsFinalState)
        {
            RecurrentState<T> final = encoded.FinalState;
            if (finalStateGradient is null || !finalStateGradient.Fits(final.States, final.Sequences, final.HiddenSize, final.HasCell))
                finalStateGradient = new RecurrentState<T>(final.States, final.Sequences, final.HiddenSize, final.HasCell);
            finalStateGradient.Clear();
            stateGradient = finalStateGradient;
        }
        Head.Backward(encoded, features, stateGradient);
        Encoder.Backward(features, stateGradient);
    }

    /// <summary>
    /// The head's predictions for every sequence of <paramref name="batch"/>, sequence after sequence in the caller's
    /// order; owned by the network and valid until its next call.
    /// </summary>
    public ReadOnlySpan<T> Predict(SequenceBatch<T> batch)
    {
        EncodedBatch<T> encoded = Encoder.Forward(batch, training: false);
        trained = null;
        int total = 0;
        foreach (int length in batch.Layout.Lengths)
            total += Head.PredictionCount(length);
        Span<T> result = Workspace.Ensure(ref predictions, total);
        Head.Predict(encoded, result);
        return result;
    }
}
