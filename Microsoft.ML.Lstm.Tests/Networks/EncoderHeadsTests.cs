using Microsoft.ML.Lstm.Networks;
using static Microsoft.ML.Lstm.Tests.Networks.NetworkSpecs;

namespace Microsoft.ML.Lstm.Tests.Networks;

/// <summary>
/// One encoder type under three heads, each trained by the same trainer on a task with a known answer: a pooled
/// classifier (see <see cref="NetworkTrainerTests"/>), a per-step softmax tagger, and a next-token language model
/// that generates through the step-at-a-time path.
/// </summary>
public class EncoderHeadsTests
{
    private static TrainingOptions Options(int epochs) => new()
    {
        Epochs = epochs, BatchSize = 16, LearningRate = 0.02, Seed = 3, Threads = 2, EarlyStoppingPatience = 0, LearningRateDecayFactor = 1,
    };

    [Fact]
    public void PooledClassifierLearnsWhetherATokenOccurs()
    {
        // Label 1 when token 0 occurs anywhere in the sequence.
        var random = new Random(1);
        List<SequenceExample> Examples(int count) => Enumerable.Range(0, count).Select(_ =>
        {
            int[] tokens = Enumerable.Range(0, random.Next(3, 9)).Select(_ => random.Next(1, 8)).ToArray();
            bool positive = random.Next(2) == 1;
            if (positive)
                tokens[random.Next(tokens.Length)] = 0;
            return SequenceExample.FromTokens(tokens, [positive ? 1f : 0f]);
        }).ToList();
        var network = new SequenceNetwork<float>(Pooled(Tokens(8, 8, 16), PoolingMode.Max, 1, LossKind.SigmoidBinaryCrossEntropy), seed: 2, threads: 2);
        var trainer = new NetworkTrainer<float>(network, Options(epochs: 15));
        trainer.Train(Examples(600));
        Assert.True(trainer.Evaluate(Examples(200)).Accuracy >= 0.95);
    }

    [Fact]
    public void StepSoftmaxTaggerLearnsATagThatNeedsMemory()
    {
        // Tag 1 at a step when an odd number of 0 tokens has been read so far (including this step), else tag 0.
        var random = new Random(1);
        List<SequenceExample> Examples(int count) => Enumerable.Range(0, count).Select(_ =>
        {
            int[] tokens = Enumerable.Range(0, random.Next(4, 12)).Select(_ => random.Next(4)).ToArray();
            var tags = new float[tokens.Length];
            int zeros = 0;
            for (int t = 0; t < tokens.Length; t++)
                tags[t] = (zeros += tokens[t] == 0 ? 1 : 0) % 2;
            return SequenceExample.FromTokens(tokens, tags);
        }).ToList();
        var network = new SequenceNetwork<float>(StepSoftmax(Tokens(4, 8, 24, CellType.Gru), 2), seed: 2, threads: 2);
        var trainer = new NetworkTrainer<float>(network, Options(epochs: 25));
        trainer.Train(Examples(800));
        double accuracy = trainer.Evaluate(Examples(200)).Accuracy!.Value;
        Assert.True(accuracy >= 0.97, $"tagging accuracy {accuracy:P1}");
    }

    [Fact]
    public void NextTokenModelGeneratesTheCycleItLearned()
    {
        // Sequences walk the cycle 0 → 1 → … → 5 → 0 from random starts; the target of each step is the next token.
        var random = new Random(1);
        var examples = Enumerable.Range(0, 300).Select(_ =>
        {
            int start = random.Next(6), length = random.Next(4, 12);
            int[] walk = Enumerable.Range(0, length + 1).Select(t => (start + t) % 6).ToArray();
            return SequenceExample.FromTokens(walk[..length], [.. walk[1..].Select(t => (float)t)]);
        }).ToList();
        var network = new SequenceNetwork<float>(StepSoftmax(Tokens(6, 8, 16), 6), seed: 2, threads: 2);
        new NetworkTrainer<float>(network, Options(epochs: 15)).Train(examples);

        var generator = new TokenGenerator(network);
        Assert.Equal([4, 5, 0, 1, 2, 3, 4, 5, 0], generator.Generate([2, 3], new GenerationOptions { MaxTokens = 9, Temperature = 0 }));
        Assert.Equal([4, 5, 0], generator.Generate([2, 3], new GenerationOptions { MaxTokens = 9, Temperature = 0, StopTokens = [0] }));
    }

    [Fact]
    public void SamplingIsRepeatableForASeedAndDiffersAcrossSeeds()
    {
        var network = new SequenceNetwork<float>(StepSoftmax(Tokens(30, 8, 16), 30), seed: 2, threads: 1);
        var generator = new TokenGenerator(network);
        int[] Sample(int seed) => generator.Generate([1, 2, 3], new GenerationOptions { MaxTokens = 40, Temperature = 1.5, TopK = 20, TopP = 0.95, Seed = seed });
        Assert.Equal(Sample(7), Sample(7));
        Assert.NotEqual(Sample(7), Sample(8));
        Assert.All(Sample(9), token => Assert.InRange(token, 0, 29));
    }

    [Fact]
    public void GeneratingIsTheSameAsRerunningThePrefixEveryStep()
    {
        // The step path keeps the state instead of re-encoding the prefix; greedy choices must come out the same.
        var network = new SequenceNetwork<float>(StepSoftmax(Tokens(12, 8, 16, CellType.Lstm, layers: 2), 12), seed: 5, threads: 1);
        int[] generated = new TokenGenerator(network).Generate([3, 1, 4], new GenerationOptions { MaxTokens = 12, Temperature = 0 });
        var sequence = new List<int> { 3, 1, 4 };
        foreach (int token in generated)
        {
            float[] logits = network.Predict(SequenceBatch<float>.FromTokens([sequence.ToArray()])).ToArray();
            Assert.Equal(Classification.ArgMax<float>(logits.AsSpan((sequence.Count - 1) * 12, 12)), token);
            sequence.Add(token);
        }
    }
}
