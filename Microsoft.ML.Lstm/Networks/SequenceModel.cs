namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// A trained network of float, as the ML.NET layer holds it: trains, scores from any thread, saves and loads.
/// Scoring rents a <see cref="SequencePredictor"/> (a private copy of the network's workspaces) from a pool,
/// so concurrent cursors never share buffers and a warm call allocates nothing. Each predictor's network runs on
/// <see cref="ScoringThreads"/> threads: 1 unless chosen with <see cref="WithScoringThreads"/>, which is not saved
/// (a choice of the process that scores, not part of the model) and never changes a prediction's bits.
/// </summary>
internal sealed class SequenceModel
{
    private readonly SequenceNetwork<float> network;
    private readonly int scoringThreads;
    private readonly Stack<SequencePredictor> idlePredictors = new();

    private SequenceModel(SequenceNetwork<float> network, int scoringThreads = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(scoringThreads, 1);
        this.network = network;
        this.scoringThreads = scoringThreads;
    }

    /// <summary>The architecture.</summary>
    public NetworkSpec Spec => network.Spec;

    /// <summary>The trained network (its weights are shared by every predictor).</summary>
    internal SequenceNetwork<float> Network => network;

    /// <summary>
    /// Builds a network from <paramref name="spec"/>, lets <paramref name="prepare"/> adjust it (e.g. load
    /// pretrained embeddings), trains it and returns the model with the run's history.
    /// </summary>
    public static (SequenceModel Model, TrainingResult Result) Train(
        NetworkSpec spec, TrainingOptions options, IReadOnlyList<SequenceExample> training,
        IReadOnlyList<SequenceExample>? validation = null, Action<SequenceNetwork<float>>? prepare = null)
    {
        var network = new SequenceNetwork<float>(spec, options.Seed, options.Threads);
        prepare?.Invoke(network);
        TrainingResult result = new NetworkTrainer<float>(network, options).Train(training, validation);
        return (new SequenceModel(network), result);
    }

    /// <summary>Wraps an already trained network, scored on <paramref name="scoringThreads"/> threads per predictor.</summary>
    public static SequenceModel FromNetwork(SequenceNetwork<float> network, int scoringThreads = 1) => new(network, scoringThreads);

    /// <summary>Threads each scoring call may use (at least 1): one sequence splits each step by hidden units across them.</summary>
    public int ScoringThreads => scoringThreads;

    /// <summary>
    /// A model of the same network (its weights shared, read-only) whose predictors run on <paramref name="threads"/>
    /// threads, with a pool of its own; this model is not changed. The predictions are the same bits.
    /// </summary>
    public SequenceModel WithScoringThreads(int threads) => new(network, threads);

    /// <summary>Values <see cref="Predict(ReadOnlySpan{int}, Span{float})"/> writes for a sequence of <paramref name="length"/> steps.</summary>
    public int PredictionCount(int length) => network.PredictionCount(length);

    /// <summary>Whether the head predicts for each step (a tagger) rather than once per sequence.</summary>
    public bool PredictsPerStep => network.PredictionCount(2) != network.PredictionCount(1);

    /// <summary>The head's predictions for a token sequence (<see cref="PredictionCount"/> values).</summary>
    public void Predict(ReadOnlySpan<int> tokens, Span<float> output)
    {
        using Lease lease = Rent();
        lease.Predictor.Predict(tokens, output);
    }

    /// <summary>
    /// The head's predictions for a token sequence with each token's character ids and its extra per-step values, for
    /// an encoder that reads them (see <see cref="SequencePredictor.Predict(ReadOnlySpan{int}, int[][], float[], Span{float})"/>).
    /// </summary>
    public void Predict(ReadOnlySpan<int> tokens, int[][]? characters, float[]? extraFeatures, Span<float> output)
    {
        using Lease lease = Rent();
        lease.Predictor.Predict(tokens, characters, extraFeatures, output);
    }

    /// <summary>The head's predictions for a numeric sequence (steps × features per step values, step-major).</summary>
    public void Predict(ReadOnlySpan<float> featureSteps, Span<float> output)
    {
        using Lease lease = Rent();
        lease.Predictor.Predict(featureSteps, output);
    }

    /// <summary>
    /// The head's predictions for every sequence of <paramref name="batch"/>, sequence after sequence in its order
    /// (<see cref="PredictionCount"/> of each length): the same bits as scoring each sequence alone, whatever its batch.
    /// </summary>
    public void Predict(SequenceBatch<float> batch, Span<float> output)
    {
        using Lease lease = Rent();
        lease.Predictor.Predict(batch, output);
    }

    /// <summary>How the recurrent weights are stored and run: null for float32, else the compressed format (<see cref="WeightCompression"/>).</summary>
    public Numerics.WeightFormat? WeightFormat => network.Parameters.Compression?.Format;

    /// <summary>
    /// A model of the same network whose recurrent weights are compressed to <paramref name="format"/> (null: float32), from
    /// this model's weights as they are, scored on as many threads; this model is not changed.
    /// </summary>
    public SequenceModel WithWeightFormat(Numerics.WeightFormat? format) => new(WeightCompression.Compress(network, format), scoringThreads);

    /// <summary>Writes the network (architecture and weights) into sections of <paramref name="file"/>.</summary>
    public void Save(ModelFileWriter file) => NetworkSerializer.Write(file, network);

    /// <summary>Reads the network <see cref="Save"/> wrote, scored on one thread; anything malformed fails with <see cref="InvalidDataException"/>.</summary>
    public static SequenceModel Load(ModelFile file) => new(NetworkSerializer.Read(file, threads: 1));

    /// <summary>The threads of the network a scoring call would run now (for tests: the thread count leaves no trace in the bits).</summary>
    internal int PredictorThreads()
    {
        using Lease lease = Rent();
        return lease.Predictor.Threads;
    }

    /// <summary>An idle predictor from the pool, or a new one; back to the pool when the lease is disposed.</summary>
    private Lease Rent()
    {
        lock (idlePredictors)
        {
            if (idlePredictors.TryPop(out SequencePredictor? idle))
                return new Lease(this, idle);
        }
        return new Lease(this, new SequencePredictor(network.CloneForInference(scoringThreads)));
    }

    /// <summary>A predictor rented from <see cref="Rent"/>, for one call: a <c>using</c> returns it, whatever the call throws.</summary>
    private readonly struct Lease(SequenceModel owner, SequencePredictor predictor) : IDisposable
    {
        public SequencePredictor Predictor { get; } = predictor;

        public void Dispose()
        {
            lock (owner.idlePredictors)
                owner.idlePredictors.Push(Predictor);
        }
    }
}
