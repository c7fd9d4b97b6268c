using Microsoft.ML.Lstm.Networks;
using static Microsoft.ML.Lstm.Tests.Networks.NetworkSpecs;

namespace Microsoft.ML.Lstm.Tests.Networks;

/// <summary>
/// The language model's adaptive softmax (<see cref="AdaptiveSoftmax{T}"/> under a <see cref="LanguageModelHead{T}"/>):
/// gradients, exact normalized probabilities, threads, the model file, generation, and the automatic cutoffs.
/// </summary>
public class AdaptiveSoftmaxTests
{
    // 11 tokens ranked 4, 0, 7, …: a shortlist of 3, a cluster of ranks [3, 6) and one of [6, 11).
    private static readonly int[] Ranking = [4, 0, 7, 1, 10, 2, 9, 3, 8, 5, 6];

    private static NetworkSpec Adaptive(EncoderSpec encoder, int[]? cutoffs = null, int[]? ranking = null) =>
        new(encoder, new LanguageModelHeadSpec
        {
            OutputSize = encoder.VocabularySize,
            Bidirectional = encoder.Bidirectional,
            Cutoffs = cutoffs ?? [3, 6],
            TokenRanking = ranking ?? Ranking,
        });

    public static TheoryData<string> Encoders => new(["forward, stacked LSTM", "forward and backward, GRU"]);

    private static EncoderSpec EncoderNamed(string name) => name == "forward and backward, GRU"
        ? Tokens(11, 3, 8, CellType.Gru, bidirectional: true)
        : Tokens(11, 3, 8, layers: 2);

    [Theory]
    [MemberData(nameof(Encoders))]
    public void BackwardMatchesFiniteDifferences(string name)
    {
        NetworkSpec spec = Adaptive(EncoderNamed(name));
        var network = new SequenceNetwork<double>(spec, seed: 11, threads: 1);
        var batch = Batch<double>(spec.Encoder, [6, 1, 7, 5, 3], new Random(12));
        double Loss() => network.Loss(batch, [], training: true).Mean;

        network.Parameters.ZeroGradients();
        Loss();
        network.Backward();
        double[] analytic = (double[])network.Parameters.Gradients.Clone();
        // Every tail cluster took some rows, so each of its weights has a gradient to check.
        foreach (ParameterView view in network.Parameters.Views.Where(v => v.Name.Contains(".tail", StringComparison.Ordinal)))
            Assert.Contains(network.Parameters.Gradient(view).ToArray(), value => value != 0);
        FiniteDifferences.Check(network.Parameters.Values, analytic, Loss, i => $"{name}: weight {i}", 1e-6, 1e-6);
    }

    [Fact]
    public void PredictionsAreLogProbabilitiesThatSumToOneAndGiveTheLoss()
    {
        NetworkSpec spec = Adaptive(Tokens(11, 3, 8));
        var network = new SequenceNetwork<double>(spec, seed: 5, threads: 1);
        int[][] sequences = [[4, 6, 9, 0, 10], [3, 3], [5, 8, 1, 2, 7, 6]];
        var batch = SequenceBatch<double>.FromTokens(sequences.ToList());
        double[] predicted = network.Predict(batch).ToArray();
        HeadLoss loss = network.Loss(batch, [], training: false);

        double total = 0;
        int offset = 0;
        foreach (int[] tokens in sequences)
        {
            for (int t = 0; t < tokens.Length; t++)
            {
                ReadOnlySpan<double> step = predicted.AsSpan((offset + t) * 11, 11);
                Assert.Equal(1.0, step.ToArray().Sum(Math.Exp), 12);
                if (t + 1 < tokens.Length)
                    total -= step[tokens[t + 1]];
            }
            offset += tokens.Length;
        }
        Assert.Equal(4 + 1 + 5, loss.Units);
        Assert.Equal(total / loss.Units, loss.Mean, 12);
        Assert.Null(loss.Correct);
    }

    [Fact]
    public void ProbabilityOfATailTokenIsItsClustersTimesItsShareInTheCluster()
    {
        // By hand for one step: token 3 has rank 7, in the second cluster (ranks [6, 11), rank 1 there).
        NetworkSpec spec = Adaptive(Tokens(11, 3, 8));
        var network = new SequenceNetwork<double>(spec, seed: 7, threads: 1);
        var batch = SequenceBatch<double>.FromTokens([[2]]);
        double[] features = network.Encoder.Forward(batch, training: false).Features.ToArray();
        double[] Row(string name, int row, int width) => network.Parameters.Value(network.Parameters.Find(name)).Slice(row * width, width).ToArray();
        double Dot(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum();

        double[] head = [.. Enumerable.Range(0, 5).Select(k => Dot(Row("head.adaptive.head.weight", k, 8), features) + Row("head.adaptive.head.bias", k, 1)[0])];
        double[] inner = [.. Enumerable.Range(0, 1).Select(k => Dot(Row("head.adaptive.tail1.projection.weight", k, 8), features))];
        Assert.Equal(AdaptiveSoftmax<double>.TailWidth(8, 1), inner.Length);
        double[] tail = [.. Enumerable.Range(0, 5).Select(k => Dot(Row("head.adaptive.tail1.output.weight", k, 1), inner))];
        double expected = Math.Exp(head[4]) / head.Sum(Math.Exp) * Math.Exp(tail[1]) / tail.Sum(Math.Exp);
        Assert.Equal(Math.Log(expected), network.Predict(batch).ToArray()[3], 12);
    }

    [Fact]
    public void TrainingGivesTheSameWeightsOnOneAndTwoThreadsAndForEachSeed()
    {
        var random = new Random(4);
        List<SequenceExample> corpus = [.. Enumerable.Range(0, 60).Select(_ => SequenceExample.FromTokens([.. Enumerable.Range(0, random.Next(2, 12)).Select(_ => random.Next(random.Next(1, 40)))], []))];
        long[] counts = AdaptiveSoftmaxPlan.Counts(corpus.Select(e => e.Tokens!), 40);
        NetworkSpec spec = Adaptive(Tokens(40, 6, 16, bidirectional: true), [5, 15], AdaptiveSoftmaxPlan.Ranking(counts));
        float[] Train(int threads, int seed)
        {
            var network = new SequenceNetwork<float>(spec, seed, threads);
            new NetworkTrainer<float>(network, new TrainingOptions { Epochs = 2, BatchSize = 8, Seed = 3, Threads = threads }).Train(corpus);
            return network.Parameters.Values;
        }
        float[] one = Train(1, seed: 2);
        Assert.Equal(one, Train(2, seed: 2));
        Assert.Equal(one, Train(1, seed: 2));
        Assert.NotEqual(one, Train(1, seed: 3));
    }

    [Fact]
    public void LossFallsWellBelowTheUnigramBaseline()
    {
        // The Markov chain of LanguageModelHeadTests over 40 tokens: each token is followed by one of two successors (3:1).
        List<SequenceExample> Corpus(int count, int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, count).Select(_ =>
            {
                var tokens = new int[random.Next(6, 16)];
                tokens[0] = random.Next(40);
                for (int t = 1; t < tokens.Length; t++)
                    tokens[t] = random.Next(4) == 0 ? (tokens[t - 1] * 7 + 3) % 40 : (tokens[t - 1] + 11) % 40;
                return SequenceExample.FromTokens(tokens, []);
            }).ToList();
        }
        List<SequenceExample> training = Corpus(600, 1), test = Corpus(100, 2);
        long[] counts = AdaptiveSoftmaxPlan.Counts(training.Select(e => e.Tokens!), 40);
        double unigram = test.Sum(e => e.Tokens![1..].Sum(token => -Math.Log((counts[token] + 1.0) / (counts.Sum() + 40)))) / test.Sum(e => e.Tokens!.Length - 1);

        NetworkSpec spec = Adaptive(Tokens(40, 8, 32), AdaptiveSoftmaxPlan.AutomaticCutoffs(counts), AdaptiveSoftmaxPlan.Ranking(counts));
        var network = new SequenceNetwork<float>(spec, seed: 2, threads: 2);
        var trainer = new NetworkTrainer<float>(network, new TrainingOptions { Epochs = 10, BatchSize = 16, LearningRate = 0.02, Seed = 3, Threads = 2 });
        trainer.Train(training);
        double loss = trainer.Evaluate(test).Loss;
        Assert.True(loss < 0.4 * unigram, $"language model {loss:F3} nats per token, unigram {unigram:F3}");
    }

    [Fact]
    public void ModelFileKeepsTheCutoffsRankingWeightsAndPredictions()
    {
        NetworkSpec spec = Adaptive(Tokens(11, 3, 8, bidirectional: true));
        var network = new SequenceNetwork<float>(spec, seed: 3, threads: 1);
        var loaded = SavedNetworks.RoundTrip(network);

        Assert.Equal(network.Spec, loaded.Spec);
        Assert.NotEqual(spec.Head, ((LanguageModelHeadSpec)spec.Head) with { TokenRanking = null });
        var head = Assert.IsType<LanguageModelHeadSpec>(loaded.Spec.Head);
        Assert.Equal([3, 6], head.Cutoffs);
        Assert.Equal(Ranking, head.TokenRanking);
        Assert.True(head.Bidirectional);
        Assert.Equal(network.Parameters.Values, loaded.Parameters.Values);
        var batch = Batch<float>(spec.Encoder, [3, 2, 4], new Random(1));
        Assert.Equal(network.Predict(batch).ToArray(), loaded.Predict(batch).ToArray());
    }

    [Fact]
    public void ForwardModelGeneratesAndScoresAsTheBidirectionalModelsForwardHalf()
    {
        NetworkSpec spec = Adaptive(Tokens(11, 4, 8, bidirectional: true));
        var network = new SequenceNetwork<float>(spec, seed: 5, threads: 1);
        SequenceNetwork<float> forward = EncoderTransplant.ForwardLanguageModel(network);
        var head = Assert.IsType<LanguageModelHeadSpec>(forward.Spec.Head);
        Assert.False(head.Bidirectional);
        var batch = Batch<float>(spec.Encoder, [4, 2, 6], new Random(6));
        Assert.Equal(network.Predict(batch).ToArray(), forward.Predict(batch).ToArray());

        // Greedy generation a step at a time takes the argmax of the whole sequence scored at once.
        int[] generated = new TokenGenerator(forward).Generate([2, 9], new GenerationOptions { MaxTokens = 8, Temperature = 0 });
        int[] tokens = [2, 9, .. generated];
        float[] scores = forward.Predict(SequenceBatch<float>.FromTokens([tokens])).ToArray();
        for (int i = 0; i < generated.Length; i++)
            Assert.Equal(Classification.ArgMax<float>(scores.AsSpan((1 + i) * 11, 11)), generated[i]);
        var sampling = new GenerationOptions { MaxTokens = 30, Temperature = 1.5, Seed = 4 };
        Assert.Equal(new TokenGenerator(forward).Generate([1], sampling), new TokenGenerator(forward).Generate([1], sampling));
    }

    [Fact]
    public void AutomaticCutoffsCoverHalfTheTokensThenGrowByFour()
    {
        // Counts 100, 60, 40, then 30 tokens of 1 each: total 230; the first two cover 160 ≥ 115.
        long[] counts = [.. new long[] { 40, 100, 60 }.Concat(Enumerable.Repeat(1L, 30))];
        Assert.Equal([2, 10], AdaptiveSoftmaxPlan.AutomaticCutoffs(counts));
        Assert.Equal([1, 2, 0], AdaptiveSoftmaxPlan.Ranking(counts)[..3]);
        Assert.Equal([1], AdaptiveSoftmaxPlan.AutomaticCutoffs([5, 5]));
        Assert.Equal([1], AdaptiveSoftmaxPlan.AutomaticCutoffs([0, 0, 0]));
    }

    [Fact]
    public void BadCutoffsOrRankingAreRefusedByName()
    {
        EncoderSpec encoder = Tokens(11, 3, 8);
        void Refused(string name, int[] cutoffs, int[]? ranking)
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => Adaptive(encoder, cutoffs, ranking).Validate());
            Assert.Equal(name, error.ParamName);
        }
        Refused("Cutoffs", [6, 3], Ranking);
        Refused("Cutoffs", [0, 6], Ranking);
        Refused("Cutoffs", [3, 11], Ranking);
        Refused("TokenRanking", [3, 6], [0, 1, 2]);
        Refused("TokenRanking", [3, 6], [0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        var floats = new NetworkSpec(Features(2, 4), new LanguageModelHeadSpec { OutputSize = 2, Cutoffs = [1] });
        Assert.Throws<ArgumentException>(() => new SequenceNetwork<float>(floats, seed: 1, threads: 1));
    }
}
