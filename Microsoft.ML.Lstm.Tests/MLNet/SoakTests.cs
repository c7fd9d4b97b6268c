using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>
/// Train, save, load and score in a loop, as a long-lived service that retrains would: the memory that stays reachable
/// does not grow beyond noise. Skipped unless <c>LSTM_SOAK=1</c> (README, "Guarantees").
/// </summary>
[Collection(MemoryMeasureCollection.Name)]
[Trait("Category", "Soak")]
public class SoakTests
{
    [SoakFact]
    public void TrainingAndScoringInALoopKeepsMemoryFlat()
    {
        int rounds = int.TryParse(Environment.GetEnvironmentVariable("LSTM_SOAK_ROUNDS"), out int n) ? n : 40;
        var reachable = new List<long>();
        for (int round = 0; round < rounds; round++)
        {
            RunOnce(round);
            reachable.Add(MemoryMeasureCollection.ReachableBytes());
        }

        // After a few rounds of warming up (JIT, ML.NET's caches), the last rounds hold what the first did.
        int warm = Math.Min(5, rounds / 4);
        long early = reachable.Skip(warm).Take(5).Min();
        long late = reachable.TakeLast(5).Min();
        Assert.True(late - early < 4_000_000, $"reachable memory grew from {early:N0} to {late:N0} bytes over {rounds} rounds: {string.Join(", ", reachable)}");
    }

    private static void RunOnce(int round)
    {
        var mlContext = new MLContext(seed: round);
        var options = LstmTestData.Tiny<LstmBinaryTrainer.Options>(epochs: 2);
        options.NumberOfThreads = 2;
        var training = mlContext.Data.LoadFromEnumerable(LstmTestData.Reviews(48, seed: round));
        var model = LstmTestData.Tokenize(mlContext).Append(mlContext.BinaryClassification.Trainers.Lstm(options)).Fit(training);
        ITransformer loaded = LstmTestData.SaveAndLoadInNewContext(mlContext, model, training.Schema);
        using var engine = mlContext.Model.CreatePredictionEngine<SentenceRow, BinaryPrediction>(loaded);
        foreach (SentenceRow row in LstmTestData.Reviews(50, seed: 1000 + round))
            engine.Predict(row);
        engine.Predict(new SentenceRow { Text = string.Join(' ', Enumerable.Repeat("good", 3000 + round)) });
        Assert.Equal(48, loaded.Transform(training).GetColumn<float>("Score").Count());
    }
}
