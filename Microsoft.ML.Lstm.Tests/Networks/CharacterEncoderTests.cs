using Microsoft.ML.Lstm.Networks;
using static Microsoft.ML.Lstm.Tests.Networks.NetworkSpecs;

namespace Microsoft.ML.Lstm.Tests.Networks;

public class CharacterEncoderTests
{
    private static EncoderSpec Spelled(int extra) => Tokens(7, 3, 3) with
    {
        CharacterVocabularySize = 5, CharacterEmbeddingSize = 2, CharacterHiddenSize = 2, ExtraFeaturesPerStep = extra,
    };

    private static SequenceBatch<double> SpelledBatch(int[] lengths, int extra, Random random)
    {
        var batch = Batch<double>(Tokens(7, 3, 3), lengths, random);
        int[][][] characters = lengths.Select(l => Enumerable.Range(0, l).Select(_ => Enumerable.Range(0, random.Next(1, 4)).Select(_ => random.Next(5)).ToArray()).ToArray()).ToArray();
        if (extra > 0)
            batch = batch.WithExtraFeatures(lengths.Select(l => Enumerable.Range(0, l * extra).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray()).ToList(), extra);
        return batch.WithCharacters(characters);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void GradientsThroughCharactersMatchFiniteDifferences(int extra)
    {
        int[] lengths = [3, 1, 2];
        NetworkSpec spec = StepSoftmax(Spelled(extra), 3);
        var network = new SequenceNetwork<double>(spec, seed: 5, threads: 1);
        var batch = SpelledBatch(lengths, extra, new Random(6));
        double[] targets = Targets<double>(spec.Head, lengths, new Random(7));

        double Loss() => network.Loss(batch, targets, training: true).Mean;
        network.Parameters.ZeroGradients();
        Loss();
        network.Backward();
        double[] analytic = (double[])network.Parameters.Gradients.Clone();
        FiniteDifferences.Check(network.Parameters.Values, analytic, Loss, i => $"parameter {i}", 1e-6, 1e-6);
        Assert.Contains(network.Parameters.Views, view => view.Name == "char.rnn.l0_reverse.weight_hh");
    }

    [Fact]
    public void CharactersTagWordsNeverSeenInTraining()
    {
        // Every word of the test set is unknown to the word embedding (one shared unknown id); whether a word is a
        // "name" is spelled out by its first character. Only the character encoder can tell.
        var random = new Random(1);
        List<SequenceExample> Examples(int count, bool unseen) => Enumerable.Range(0, count).Select(_ =>
        {
            int length = random.Next(3, 8);
            var characters = new int[length][];
            var tags = new float[length];
            var words = new int[length];
            for (int t = 0; t < length; t++)
            {
                bool name = random.Next(3) == 0;
                characters[t] = [name ? 0 : random.Next(1, 6), .. Enumerable.Range(0, random.Next(1, 5)).Select(_ => random.Next(1, 6))];
                tags[t] = name ? 1 : 0;
                words[t] = unseen ? 9 : random.Next(9);
            }
            return SequenceExample.FromTokens(words, tags) with { Characters = characters };
        }).ToList();

        NetworkSpec Spec(bool spelled) => StepSoftmax(
            Tokens(10, 8, 16, bidirectional: true) with
            {
                CharacterVocabularySize = spelled ? 6 : 0, CharacterEmbeddingSize = spelled ? 4 : 0, CharacterHiddenSize = spelled ? 8 : 0,
            }, 2);
        var options = new TrainingOptions { Epochs = 12, BatchSize = 16, LearningRate = 0.02, Seed = 2, Threads = 2, EarlyStoppingPatience = 0 };
        var training = Examples(500, unseen: false);
        var test = Examples(200, unseen: true);

        var spelledNetwork = new SequenceNetwork<float>(Spec(true), seed: 3, threads: 2);
        var spelledTrainer = new NetworkTrainer<float>(spelledNetwork, options);
        spelledTrainer.Train(training);
        double withCharacters = spelledTrainer.Evaluate(test).Accuracy!.Value;

        var plainNetwork = new SequenceNetwork<float>(Spec(false), seed: 3, threads: 2);
        var plainTrainer = new NetworkTrainer<float>(plainNetwork, options);
        plainTrainer.Train(training);
        double withoutCharacters = plainTrainer.Evaluate(test).Accuracy!.Value;

        Assert.True(withCharacters >= 0.97, $"with characters {withCharacters:P1}");
        Assert.True(withoutCharacters < 0.8, $"without characters {withoutCharacters:P1}");
    }
}
