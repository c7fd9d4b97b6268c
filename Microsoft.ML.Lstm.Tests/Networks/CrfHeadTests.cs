using Microsoft.ML.Lstm.Networks;
using static Microsoft.ML.Lstm.Tests.Networks.NetworkSpecs;

namespace Microsoft.ML.Lstm.Tests.Networks;

/// <summary>
/// The CRF head on its own (a dense layer set to the identity, so the features are the emissions) against brute
/// force over every tag path of small cases, its gradients against finite differences, and a CRF tagger trained
/// on a task whose tags depend on the tag before.
/// </summary>
public class CrfHeadTests
{
    /// <summary>Several sequences of different lengths in one batch, in an order the packed layout has to sort.</summary>
    private static readonly int[] Lengths = [3, 5, 1, 4, 2, 5];

    /// <summary>Three tags, free or constrained as BIO with one span type (O, B, I: no I after O, no I first).</summary>
    private static CrfHeadSpec Spec(bool constrained) => constrained ? BioCrf(types: 1) : new CrfHeadSpec { ClassCount = 3 };

    /// <summary>A head whose emissions are its features, with transition, start and end scores drawn from U(−1, 1).</summary>
    private static (CrfHead<double> Head, ParameterStore<double> Store) CreateHead(CrfHeadSpec spec, int seed)
    {
        int k = spec.ClassCount;
        var store = new ParameterStore<double>();
        var head = new CrfHead<double>(spec, store, Features(k, k), new Random(seed));
        Span<double> weight = store.Value(store.Find("head.dense.weight"));
        weight.Clear();
        for (int j = 0; j < k; j++)
            weight[j * k + j] = 1;
        var random = new Random(seed + 1);
        foreach (string name in new[] { "head.crf.transitions", "head.crf.start", "head.crf.end" })
        {
            Span<double> scores = store.Value(store.Find(name));
            for (int i = 0; i < scores.Length; i++)
                scores[i] = random.NextDouble() * 2 - 1;
        }
        return (head, store);
    }

    /// <summary>Emissions [L, K] of each sequence, from U(−2, 2).</summary>
    private static float[][] RandomEmissions(int[] lengths, int k, Random random) =>
        lengths.Select(length => Enumerable.Range(0, length * k).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray()).ToArray();

    /// <summary>The encoder's side of a batch: the emissions as packed features.</summary>
    private static EncodedBatch<double> Encode(float[][] emissions, int k)
    {
        var batch = SequenceBatch<double>.FromFeatures(emissions, k);
        var encoded = new EncodedBatch<double>(k);
        batch.Features!.CopyTo(encoded.Begin(batch));
        return encoded;
    }

    private static double[] Flatten(int[][] paths) => paths.SelectMany(path => path.Select(tag => (double)tag)).ToArray();

    /// <summary>Every tag path of one sequence scored as the CRF defines it, the paths the constraints forbid left out.</summary>
    private sealed class BruteForce
    {
        private readonly CrfHeadSpec spec;
        private readonly double[] transitions, start, end;
        private readonly float[] emissions;

        public BruteForce(CrfHeadSpec spec, ParameterStore<double> store, float[] emissions)
        {
            this.spec = spec;
            this.emissions = emissions;
            transitions = store.Value(store.Find("head.crf.transitions")).ToArray();
            start = store.Value(store.Find("head.crf.start")).ToArray();
            end = store.Value(store.Find("head.crf.end")).ToArray();
            int k = spec.ClassCount, length = emissions.Length / k;
            var paths = new List<(int[] Path, double Score)>();
            for (int index = 0; index < (int)Math.Pow(k, length); index++)
            {
                var path = new int[length];
                for (int t = 0, rest = index; t < length; t++, rest /= k)
                    path[t] = rest % k;
                if (Allowed(path))
                    paths.Add((path, Score(path)));
            }
            double largest = paths.Max(p => p.Score);
            LogPartition = largest + Math.Log(paths.Sum(p => Math.Exp(p.Score - largest)));
            BestPath = paths.MaxBy(p => p.Score).Path;
            Marginals = new double[length, k];
            foreach ((int[] path, double score) in paths)
            {
                for (int t = 0; t < length; t++)
                    Marginals[t, path[t]] += Math.Exp(score - LogPartition);
            }
        }

        public double LogPartition { get; }

        public int[] BestPath { get; }

        /// <summary>p(y_t = tag) [L, K].</summary>
        public double[,] Marginals { get; }

        public double Score(int[] path)
        {
            int k = spec.ClassCount;
            double score = start[path[0]] + end[path[^1]];
            for (int t = 0; t < path.Length; t++)
                score += emissions[t * k + path[t]] + (t > 0 ? transitions[path[t - 1] * k + path[t]] : 0);
            return score;
        }

        private bool Allowed(int[] path) => Allows(spec, path);
    }

    /// <summary>Whether the constraints allow every start, transition and end of <paramref name="path"/>.</summary>
    private static bool Allows(CrfHeadSpec spec, int[] path)
    {
        if (!spec.AllowsStart(path[0]) || !spec.AllowsEnd(path[^1]))
            return false;
        for (int t = 1; t < path.Length; t++)
        {
            if (!spec.AllowsTransition(path[t - 1], path[t]))
                return false;
        }
        return true;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LossIsTheLogPartitionMinusThePathScoreByBruteForce(bool constrained)
    {
        CrfHeadSpec spec = Spec(constrained);
        var (head, store) = CreateHead(spec, seed: 1);
        var random = new Random(2);
        float[][] emissions = RandomEmissions(Lengths, spec.ClassCount, random);
        int[][] paths = Lengths.Select(length => AllowedPath(spec, length, random)).ToArray();
        var brute = emissions.Select(e => new BruteForce(spec, store, e)).ToArray();

        double expected = Enumerable.Range(0, Lengths.Length).Sum(s => brute[s].LogPartition - brute[s].Score(paths[s])) / Lengths.Sum();
        foreach (bool training in new[] { false, true })
        {
            HeadLoss loss = head.Loss(Encode(emissions, spec.ClassCount), Flatten(paths), training);
            Assert.Equal(expected, loss.Mean, 1e-12);
            Assert.Equal(Lengths.Sum(), loss.Units);
        }
        // Alone, each sequence's loss is its own log Z − score(y): no sequence reads another's steps.
        for (int s = 0; s < Lengths.Length; s++)
        {
            HeadLoss alone = head.Loss(Encode([emissions[s]], spec.ClassCount), Flatten([paths[s]]), training: false);
            Assert.Equal(brute[s].LogPartition - brute[s].Score(paths[s]), alone.Mean * Lengths[s], 1e-12);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ViterbiFindsTheBruteForceBestPathWithItsMarginals(bool constrained)
    {
        CrfHeadSpec spec = Spec(constrained);
        for (int seed = 0; seed < 5; seed++)
        {
            var (head, store) = CreateHead(spec, seed);
            float[][] emissions = RandomEmissions(Lengths, spec.ClassCount, new Random(100 + seed));
            var predictions = new double[2 * Lengths.Sum()];
            head.Predict(Encode(emissions, spec.ClassCount), predictions);

            int offset = 0;
            for (int s = 0; s < Lengths.Length; s++)
            {
                var brute = new BruteForce(spec, store, emissions[s]);
                for (int t = 0; t < Lengths[s]; t++)
                {
                    int tag = brute.BestPath[t];
                    Assert.Equal(tag, predictions[2 * (offset + t)]);
                    Assert.Equal(brute.Marginals[t, tag], predictions[2 * (offset + t) + 1], 1e-12);
                }
                offset += Lengths[s];
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MarginalsSumToOneAtEveryStepAndMatchBruteForce(bool constrained)
    {
        CrfHeadSpec spec = Spec(constrained);
        int k = spec.ClassCount;
        var (head, store) = CreateHead(spec, seed: 3);
        float[][] emissions = RandomEmissions(Lengths, k, new Random(4));
        var marginals = new double[Lengths.Sum() * k];
        head.PredictMarginals(Encode(emissions, k), marginals);

        int row = 0;
        for (int s = 0; s < Lengths.Length; s++)
        {
            var brute = new BruteForce(spec, store, emissions[s]);
            for (int t = 0; t < Lengths[s]; t++, row++)
            {
                Assert.Equal(1.0, marginals.AsSpan(row * k, k).ToArray().Sum(), 1e-12);
                for (int tag = 0; tag < k; tag++)
                    Assert.Equal(brute.Marginals[t, tag], marginals[row * k + tag], 1e-12);
            }
        }
    }

    [Fact]
    public void ScoresWhoseAllowedTermsAllUnderflowFallBackToLogSpaceAndStillMatchBruteForce()
    {
        // BIO (O, B, I): one sequence's emissions make O all but certain first and I all but certain next, yet O → I is
        // forbidden, so in probability space every allowed term of its second step underflows to 0.
        CrfHeadSpec spec = Spec(constrained: true);
        int k = spec.ClassCount;
        var (head, store) = CreateHead(spec, seed: 11);
        var random = new Random(12);
        float[][] emissions = RandomEmissions(Lengths, k, random);
        emissions[1][0] = 0; emissions[1][1] = -800; emissions[1][2] = -800;
        emissions[1][k] = -800; emissions[1][k + 1] = -800; emissions[1][k + 2] = 0;
        int[][] paths = Lengths.Select(length => AllowedPath(spec, length, random)).ToArray();
        paths[1][0] = 1;
        paths[1][1] = 2;
        var brute = emissions.Select(e => new BruteForce(spec, store, e)).ToArray();

        double expected = Enumerable.Range(0, Lengths.Length).Sum(s => brute[s].LogPartition - brute[s].Score(paths[s])) / Lengths.Sum();
        foreach (bool training in new[] { false, true })
            Assert.Equal(expected, head.Loss(Encode(emissions, k), Flatten(paths), training).Mean, 1e-9);

        var marginals = new double[Lengths.Sum() * k];
        head.PredictMarginals(Encode(emissions, k), marginals);
        int row = 0;
        for (int s = 0; s < Lengths.Length; s++)
        {
            for (int t = 0; t < Lengths[s]; t++, row++)
            {
                for (int tag = 0; tag < k; tag++)
                    Assert.Equal(brute[s].Marginals[t, tag], marginals[row * k + tag], 1e-12);
            }
        }

        var batch = SequenceBatch<double>.FromFeatures(emissions, k);
        var encoded = new EncodedBatch<double>(k);
        double[] features = batch.Features!, targets = Flatten(paths);
        double Loss()
        {
            features.CopyTo(encoded.Begin(batch));
            return head.Loss(encoded, targets, training: true).Mean;
        }
        store.ZeroGradients();
        Loss();
        var featureGradient = new double[features.Length];
        head.Backward(encoded, featureGradient, null);
        Assert.All(featureGradient, value => Assert.True(double.IsFinite(value)));
        FiniteDifferences.Check(store.Values, (double[])store.Gradients.Clone(), Loss, i => $"parameter {i}", 1e-8, 1e-6);
    }

    [Fact]
    public void ConstrainedDecodingNeverBreaksTheConstraintsWhateverTheScores()
    {
        // BIO with two span types; the emissions favour I tags and the forbidden scores are large, yet no I may follow O.
        CrfHeadSpec spec = BioCrf(types: 2);
        int k = spec.ClassCount;
        var (head, store) = CreateHead(spec, seed: 5);
        var random = new Random(6);
        int[] lengths = Enumerable.Range(0, 40).Select(_ => random.Next(1, 13)).ToArray();
        float[][] emissions = RandomEmissions(lengths, k, random);
        foreach (float[] sequence in emissions)
        {
            for (int i = 0; i < sequence.Length; i++)
                sequence[i] += i % k is 2 or 4 ? 3f : 0f;
        }
        var predictions = new double[2 * lengths.Sum()];
        head.Predict(Encode(emissions, k), predictions);

        Span<double> transitions = store.Value(store.Find("head.crf.transitions")), starts = store.Value(store.Find("head.crf.start"));
        for (int from = 0; from < k; from++)
        {
            for (int to = 0; to < k; to++)
                transitions[from * k + to] = spec.AllowsTransition(from, to) ? transitions[from * k + to] : 50;
            starts[from] = spec.AllowsStart(from) ? starts[from] : 50;
        }
        var withLargeForbiddenScores = new double[predictions.Length];
        head.Predict(Encode(emissions, k), withLargeForbiddenScores);
        Assert.Equal(predictions, withLargeForbiddenScores);

        int offset = 0;
        foreach (int length in lengths)
        {
            int[] path = Enumerable.Range(0, length).Select(t => (int)predictions[2 * (offset + t)]).ToArray();
            Assert.True(Allows(spec, path), $"decoded path {string.Join(" ", path)} breaks the BIO constraints");
            offset += length;
        }
        Assert.Contains(predictions.Where((_, i) => i % 2 == 0), tag => tag is 2 or 4);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BackwardMatchesFiniteDifferences(bool constrained)
    {
        CrfHeadSpec spec = Spec(constrained);
        int k = spec.ClassCount;
        var (head, store) = CreateHead(spec, seed: 7);
        var random = new Random(8);
        float[][] emissions = RandomEmissions(Lengths, k, random);
        double[] targets = Flatten(Lengths.Select(length => AllowedPath(spec, length, random)).ToArray());
        var batch = SequenceBatch<double>.FromFeatures(emissions, k);
        var encoded = new EncodedBatch<double>(k);
        double[] features = batch.Features!;
        double Loss()
        {
            features.CopyTo(encoded.Begin(batch));
            return head.Loss(encoded, targets, training: true).Mean;
        }

        store.ZeroGradients();
        Loss();
        var featureGradient = new double[features.Length];
        head.Backward(encoded, featureGradient, null);
        double[] analytic = (double[])store.Gradients.Clone();

        FiniteDifferences.Check(store.Values, analytic, Loss, i => $"parameter {i}", 1e-8, 1e-6);
        FiniteDifferences.Check(features, featureGradient, Loss, i => $"feature {i}", 1e-8, 1e-6);
        ParameterView transitions = store.Find("head.crf.transitions"), starts = store.Find("head.crf.start");
        for (int i = 0; i < k * k; i++)
        {
            if (!spec.AllowsTransition(i / k, i % k))
                Assert.Equal(0.0, analytic[transitions.Offset + i]);
        }
        for (int tag = 0; tag < k; tag++)
        {
            if (!spec.AllowsStart(tag))
                Assert.Equal(0.0, analytic[starts.Offset + tag]);
        }
    }

    [Fact]
    public void TargetsThatBreakTheConstraintsAreRefusedNamingTheSequence()
    {
        CrfHeadSpec spec = Spec(constrained: true);
        var (head, _) = CreateHead(spec, seed: 1);
        float[][] emissions = RandomEmissions([2, 3], spec.ClassCount, new Random(1));
        // Sequence 1 puts I (2) after O (0).
        var error = Assert.Throws<ArgumentException>(() => head.Loss(Encode(emissions, 3), [1, 2, 0, 0, 2], training: true));
        Assert.Contains("Sequence 1", error.Message);
        Assert.Contains("step 2", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => head.Loss(Encode(emissions, 3), [1, 2, 0, 3, 0], training: true));
    }

    [Fact]
    public void SpecRefusesConstraintsOfTheWrongSizeOrWithoutAPathOfSomeLength()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CrfHeadSpec { ClassCount = 1 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new CrfHeadSpec { ClassCount = CrfHeadSpec.MaxClassCount + 1 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new CrfHeadSpec { ClassCount = 3, AllowedTransitions = new bool[8] }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new CrfHeadSpec { ClassCount = 3, AllowedEnds = new bool[2] }.Validate());

        // Only tag 0 may start and only tag 1 may end: no path of length 1.
        var error = Assert.Throws<ArgumentException>(() => new CrfHeadSpec { ClassCount = 2, AllowedStarts = [true, false], AllowedEnds = [false, true] }.Validate());
        Assert.Contains("length 1", error.Message);
        // 0 → 1 → 0 … starting and ending at 0: only odd lengths.
        error = Assert.Throws<ArgumentException>(() => new CrfHeadSpec
        {
            ClassCount = 2, AllowedTransitions = [false, true, true, false], AllowedStarts = [true, false], AllowedEnds = [true, false],
        }.Validate());
        Assert.Contains("length 2", error.Message);
        Assert.Throws<ArgumentException>(() => new CrfHeadSpec { ClassCount = 2, AllowedTransitions = new bool[4] }.Validate());

        // A cycle 0 → 1 → 2 → 0 from 0 with any end has a path of every length; so has BIO.
        new CrfHeadSpec { ClassCount = 3, AllowedTransitions = [false, true, false, false, false, true, true, false, false], AllowedStarts = [true, false, false] }.Validate();
        BioCrf(types: 4).Validate();
    }

    [Fact]
    public void WarmBatchesAllocateNothing()
    {
        CrfHeadSpec spec = BioCrf(types: 2) with { Dropout = 0.2 };
        var (head, store) = CreateHead(spec, seed: 1);
        var random = new Random(2);
        float[][] emissions = RandomEmissions(Lengths, spec.ClassCount, random);
        double[] targets = Flatten(Lengths.Select(length => AllowedPath(spec, length, random)).ToArray());
        EncodedBatch<double> encoded = Encode(emissions, spec.ClassCount);
        var featureGradient = new double[encoded.Features.Length];
        var predictions = new double[2 * Lengths.Sum()];
        void Round()
        {
            head.Loss(encoded, targets, training: true);
            head.Backward(encoded, featureGradient, null);
            head.Loss(encoded, targets, training: false);
            head.Predict(encoded, predictions);
        }
        store.ZeroGradients();
        Round();
        Assert.Equal(0, ThreadAllocations.Of(Round));
    }

    [Fact]
    public void OneAndTwoThreadsGiveIdenticalLossGradientsAndPredictions()
    {
        EncoderSpec encoder = Tokens(50, 8, 64, CellType.Lstm, layers: 2, bidirectional: true);
        NetworkSpec spec = Crf(encoder, BioCrf(types: 6));
        var random = new Random(2);
        int[] lengths = Enumerable.Range(0, 9).Select(i => 3 + i * 2 % 7).ToArray();
        var batch = Batch<float>(encoder, lengths, random);
        float[] targets = Targets<float>(spec.Head, lengths, random);
        (double Loss, float[] Predictions, float[] Gradient) Run(int threads)
        {
            var network = new SequenceNetwork<float>(spec, seed: 4, threads);
            float[] predictions = network.Predict(batch).ToArray();
            double loss = network.Loss(batch, targets, training: true).Mean;
            network.Parameters.ZeroGradients();
            network.Backward();
            return (loss, predictions, (float[])network.Parameters.Gradients.Clone());
        }
        var one = Run(1);
        var two = Run(2);
        Assert.Equal(one.Loss, two.Loss);
        Assert.Equal(one.Predictions, two.Predictions);
        Assert.Equal(one.Gradient, two.Gradient);
    }

    /// <summary>
    /// Spans in BIO tags whose type shows only at their end: an "open" token begins a span, "continue" tokens carry it
    /// on, and a closing token, X or Y, ends it and gives its type, so the span is tagged B-X I-X … I-X or B-Y I-Y …
    /// I-Y (tags 1, 2 or 3, 4). Every other word is O, and so is a "continue" token outside a span. An encoder that
    /// reads forwards only has not seen the type when it tags the span's first tokens; a CRF carries it back from the
    /// closing token through the transitions, since BIO lets I-X follow only B-X or I-X.
    /// </summary>
    private static List<SequenceExample> Spans(int count, Random random)
    {
        const int Open = 6, Continue = 7, CloseX = 8, CloseY = 9;
        var examples = new List<SequenceExample>(count);
        for (int i = 0; i < count; i++)
        {
            var tokens = new List<int>();
            var tags = new List<float>();
            int length = random.Next(6, 16);
            while (tokens.Count < length)
            {
                double draw = random.NextDouble();
                if (draw < 0.25)
                {
                    bool x = random.Next(2) == 0;
                    int run = random.Next(0, 4);
                    tokens.Add(Open);
                    tags.Add(x ? 1 : 3);
                    for (int c = 0; c <= run; c++)
                    {
                        tokens.Add(c < run ? Continue : x ? CloseX : CloseY);
                        tags.Add(x ? 2 : 4);
                    }
                }
                else
                {
                    tokens.Add(draw < 0.35 ? Continue : random.Next(6));
                    tags.Add(0);
                }
            }
            examples.Add(SequenceExample.FromTokens([.. tokens], [.. tags]));
        }
        return examples;
    }

    [Fact]
    public void CrfTaggerTagsSpansWhoseTypeShowsAtTheirEndWhereThePerStepSoftmaxCannot()
    {
        // Measured with six seeds on the same forward-only encoder: the CRF 100 %, the per-step softmax 81 % ± 0.3 (it can
        // only guess the type of a span's first tokens); the margin asserted leaves both room to move.
        List<SequenceExample> training = Spans(600, new Random(1)), test = Spans(300, new Random(2));
        var options = new TrainingOptions
        {
            Epochs = 8, BatchSize = 16, LearningRate = 0.02, Seed = 3, Threads = 2, EarlyStoppingPatience = 0, LearningRateDecayFactor = 1,
        };
        EncoderSpec encoder = Tokens(10, 8, 16);
        double Accuracy(NetworkSpec spec, out SequenceNetwork<float> network)
        {
            network = new SequenceNetwork<float>(spec, seed: 2, threads: 2);
            var trainer = new NetworkTrainer<float>(network, options);
            trainer.Train(training);
            return trainer.Evaluate(test).Accuracy!.Value;
        }
        double crf = Accuracy(Crf(encoder, BioCrf(types: 2)), out SequenceNetwork<float> tagger);
        double softmax = Accuracy(StepSoftmax(encoder, 5), out _);

        Assert.True(crf >= 0.97, $"CRF token accuracy {crf:P2}");
        Assert.True(crf >= softmax + 0.1, $"CRF {crf:P2} against the per-step softmax's {softmax:P2}");

        // Every decoded path keeps to BIO: no I after O, none first.
        var spec = (CrfHeadSpec)tagger.Spec.Head;
        int[][] sentences = test.Select(example => example.Tokens!).ToArray();
        float[] predictions = tagger.Predict(SequenceBatch<float>.FromTokens(sentences)).ToArray();
        int offset = 0;
        foreach (int[] sentence in sentences)
        {
            int[] path = Enumerable.Range(0, sentence.Length).Select(t => (int)predictions[2 * (offset + t)]).ToArray();
            Assert.True(Allows(spec, path));
            offset += sentence.Length;
        }
    }
}
