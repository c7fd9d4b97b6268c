using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using static Microsoft.ML.Lstm.Tests.MLNet.SequenceTestData;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>The policy beyond <see cref="RowPredictions.MaxScoringSteps"/> (README, "Guarantees").</summary>
public class ScoringLimitsTests
{
    private const int Limit = RowPredictions.MaxScoringSteps;
    private readonly MLContext mlContext = new(seed: 1);

    [Fact]
    public void APooledHeadReadsTheFirstMaxScoringStepsOfALongerRow()
    {
        var random = new Random(3);
        float[] longer = [.. Enumerable.Range(0, (Limit + 500) * FeaturesPerStep).Select(_ => (float)random.NextDouble())];
        var rows = new[] { new RegressionSequenceRow { Features = longer }, new RegressionSequenceRow { Features = longer[..(Limit * FeaturesPerStep)] } };

        var scores = Values<float>(RegressionTransformer(mlContext).Transform(mlContext.Data.LoadFromEnumerable(rows)), "Score");

        Assert.Equal(BitConverter.SingleToInt32Bits(scores[1]), BitConverter.SingleToInt32Bits(scores[0]));
    }

    [Fact]
    public void ATaggerTagsALongerRowInPiecesOfMaxScoringSteps()
    {
        var training = TaggingTestData.Sentences(12, seed: 1, testNames: false);
        var keys = TaggingTestData.MapKeys(mlContext, mlContext.Data.LoadFromEnumerable(training));
        var tagger = mlContext.MulticlassClassification.Trainers.LstmTagger(TaggingTestData.Tiny(epochs: 1))
            .Fit(keys.Transform(mlContext.Data.LoadFromEnumerable(training)));
        string[] words = [.. training.SelectMany(sentence => sentence.Tokens)];
        string[] tokens = [.. Enumerable.Range(0, Limit + 37).Select(i => words[i % words.Length])];
        string[] Tags(int count) => [.. Enumerable.Repeat("O", count)];
        var rows = new[]
        {
            new TaggedSentence { Tokens = tokens, Tags = Tags(tokens.Length) },
            new TaggedSentence { Tokens = tokens[..Limit], Tags = Tags(Limit) },
            new TaggedSentence { Tokens = tokens[Limit..], Tags = Tags(37) },
        };

        var scores = tagger.Transform(keys.Transform(mlContext.Data.LoadFromEnumerable(rows))).GetColumn<float[]>("Score").ToList();

        Assert.Equal(tokens.Length, scores[0].Length);
        Assert.Equal(Bits(scores[1].Concat(scores[2])), Bits(scores[0]));
    }
}
