using Microsoft.ML.Lstm.Networks;
using static Microsoft.ML.Lstm.Tests.Networks.NetworkSpecs;

namespace Microsoft.ML.Lstm.Tests.Networks;

/// <summary>
/// The language-model head (next token forward, previous token backward), the featurizing head, and the networks
/// built from trained weights (<see cref="EncoderTransplant"/>).
/// </summary>
public class LanguageModelHeadTests
{
    private static readonly int[] Lengths = [3, 1, 4, 2];

    private static NetworkSpec LanguageModel(EncoderSpec encoder) =>
        new(encoder, new LanguageModelHeadSpec { OutputSize = encoder.Input == SequenceInputKind.Tokens ? encoder.VocabularySize : encoder.FeaturesPerStep, Bidirectional = encoder.Bidirectional });

    public static TheoryData<string> Encoders => new(["forward, stacked LSTM", "forward and backward, GRU", "float steps, forward and backward LSTM"]);

    private static EncoderSpec EncoderNamed(string name) => name switch
    {
        "forward and backward, GRU" => Tokens(7, 3, 3, CellType.Gru, bidirectional: true),
        "float steps, forward and backward LSTM" => Features(2, 3, bidirectional: true),
        _ => Tokens(7, 3, 3, layers: 2),
    };

    [Theory]
    [MemberData(nameof(Encoders))]
    public void BackwardMatchesFiniteDifferences(string name)
    {
        NetworkSpec spec = LanguageModel(EncoderNamed(name));
        var network = new SequenceNetwork<double>(spec, seed: 11, threads: 1);
        var batch = Batch<double>(spec.Encoder, Lengths, new Random(12));
        double Loss() => network.Loss(batch, [], training: true).Mean;

        network.Parameters.ZeroGradients();
        Loss();
        network.Backward();
        double[] analytic = (double[])network.Parameters.Gradients.Clone();
        Assert.Contains(analytic, value => value != 0);
        FiniteDifferences.Check(network.Parameters.Values, analytic, Loss, i => $"{name}: weight {i}", 1e-6, 1e-6);
    }

    [Fact]
    public void LossCountsEveryNextAndPreviousTokenAgainstABruteForceSoftmax()
    {
        NetworkSpec spec = LanguageModel(Tokens(5, 3, 2, bidirectional: true));
        var network = new SequenceNetwork<double>(spec, seed: 3, threads: 1);
        int[][] sequences = [[1, 2, 3], [4], [0, 4, 1, 2]];
        var batch = SequenceBatch<double>.FromTokens(sequences.ToList());
        HeadLoss loss = network.Loss(batch, [], training: false);
        Assert.Equal(2 * (2 + 0 + 3), loss.Units);

        // Each sequence alone, its features split into the two directions, each scored by its own dense layer.
        double total = 0;
        foreach (int[] tokens in sequences)
        {
            EncodedBatch<double> encoded = network.Encoder.Forward(SequenceBatch<double>.FromTokens([tokens]), training: false);
            double[] features = encoded.Features.ToArray();
            for (int direction = 0; direction < 2; direction++)
            {
                string name = direction == 0 ? "head.dense" : "head.dense_reverse";
                double[] weight = network.Parameters.Value(network.Parameters.Find(name + ".weight")).ToArray();
                double[] bias = network.Parameters.Value(network.Parameters.Find(name + ".bias")).ToArray();
                for (int t = 0; t < tokens.Length; t++)
                {
                    int source = direction == 0 ? t + 1 : t - 1;
                    if (source < 0 || source >= tokens.Length)
                        continue;
                    double[] logits = Enumerable.Range(0, 5).Select(k => bias[k] + Enumerable.Range(0, 2).Sum(j => weight[k * 2 + j] * features[t * 4 + direction * 2 + j])).ToArray();
                    total += Math.Log(logits.Sum(Math.Exp)) - logits[tokens[source]];
                }
            }
        }
        Assert.Equal(total / loss.Units, loss.Mean, 1e-12);
    }

    [Fact]
    public void LanguageModelLossFallsWellBelowTheUnigramBaseline()
    {
        // A Markov chain over 12 tokens: each token is followed by one of two successors (3:1), so the next token
        // carries about 0.8 bits given the last while the unigram distribution carries about log2(12) ≈ 3.6.
        List<SequenceExample> Corpus(int count, int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, count).Select(_ =>
            {
                var tokens = new int[random.Next(6, 16)];
                tokens[0] = random.Next(12);
                for (int t = 1; t < tokens.Length; t++)
                    tokens[t] = random.Next(4) == 0 ? (tokens[t - 1] * 5 + 1) % 12 : (tokens[t - 1] + 7) % 12;
                return SequenceExample.FromTokens(tokens, []);
            }).ToList();
        }
        List<SequenceExample> training = Corpus(400, 1), test = Corpus(100, 2);
        var counts = new double[12];
        foreach (SequenceExample example in training)
        {
            foreach (int token in example.Tokens![1..])
                counts[token]++;
        }
        double unigram = test.Sum(e => e.Tokens![1..].Sum(token => -Math.Log(counts[token] / counts.Sum()))) / test.Sum(e => e.Tokens!.Length - 1);

        var network = new SequenceNetwork<float>(LanguageModel(Tokens(12, 8, 16)), seed: 2, threads: 2);
        var trainer = new NetworkTrainer<float>(network, new TrainingOptions { Epochs = 8, BatchSize = 16, LearningRate = 0.02, Seed = 3, Threads = 2 });
        trainer.Train(training);
        double loss = trainer.Evaluate(test).Loss;
        Assert.True(loss < 0.4 * unigram, $"language model {loss:F3} nats per token, unigram {unigram:F3}");
    }

    [Fact]
    public void ForwardModelAndFeaturizerGiveTheTrainedNetworksBits()
    {
        NetworkSpec spec = LanguageModel(Tokens(9, 4, 5, bidirectional: true));
        var network = new SequenceNetwork<float>(spec, seed: 5, threads: 1);
        var batch = Batch<float>(spec.Encoder, [4, 2, 6], new Random(6));

        // The forward model alone scores as the bidirectional model's forward half.
        SequenceNetwork<float> forward = EncoderTransplant.ForwardLanguageModel(network);
        Assert.IsType<StepSoftmaxHeadSpec>(forward.Spec.Head);
        Assert.False(forward.Spec.Encoder.Bidirectional);
        Assert.Equal(network.Predict(batch).ToArray(), forward.Predict(batch).ToArray());

        // The featurizer writes the encoder's pooled outputs: last state, mean and max, concatenated.
        SequenceNetwork<float> featurizer = EncoderTransplant.Featurizer(network, [PoolingMode.LastState, PoolingMode.Mean, PoolingMode.Max]);
        float[] pooled = featurizer.Predict(batch).ToArray();
        Assert.Equal(3 * 3 * 10, pooled.Length);
        EncodedBatch<float> encoded = network.Encoder.Forward(batch, training: false);
        for (int s = 0; s < 3; s++)
        {
            int length = batch.Layout.Lengths[Array.IndexOf(batch.Layout.SortedToOriginal, s)];
            for (int f = 0; f < 10; f++)
            {
                float Step(int t) => encoded.Features[batch.Layout.Row(t, Array.IndexOf(batch.Layout.SortedToOriginal, s)) * 10 + f];
                float last = f < 5 ? Step(length - 1) : Step(0);
                Assert.Equal(last, pooled[s * 30 + f]);
                Assert.Equal(Enumerable.Range(0, length).Max(Step), pooled[s * 30 + 20 + f]);
            }
        }
    }

    [Fact]
    public void TrainingGivesTheSameWeightsOnOneAndTwoThreads()
    {
        var random = new Random(4);
        List<SequenceExample> corpus = [.. Enumerable.Range(0, 40).Select(_ => SequenceExample.FromTokens([.. Enumerable.Range(0, random.Next(2, 9)).Select(_ => random.Next(30))], []))];
        float[] Train(int threads)
        {
            var network = new SequenceNetwork<float>(LanguageModel(Tokens(30, 6, 8, bidirectional: true)), seed: 2, threads);
            new NetworkTrainer<float>(network, new TrainingOptions { Epochs = 2, BatchSize = 8, Seed = 3, Threads = threads }).Train(corpus);
            return network.Parameters.Values;
        }
        Assert.Equal(Train(1), Train(2));
    }
}
