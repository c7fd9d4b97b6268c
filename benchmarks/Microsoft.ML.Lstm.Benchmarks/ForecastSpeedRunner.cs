using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>
/// The `forecast` mode (issue #10): trains ForecastByLstm's default network shape with the engine directly on synthetic
/// windows and prints, as JSON lines, training windows per second and forecast windows per second (batches of 256).
/// benchmarks/pytorch_forecast.py trains the same network: windows of 24 steps × 2 values (scaled value, missing flag)
/// → LSTM 32 → the last step → dropout 0.1 → dense 36 (12 steps × 3 quantile levels) + a linear skip from the 24 scaled
/// values → pinball loss; Adam 3e-3, batch 32, clipping at norm 5, a fixed number of epochs, no validation.
/// </summary>
internal static class ForecastSpeedRunner
{
    public const int Window = 24, Horizon = 12, Hidden = 32;

    /// <summary>Options <c>--threads</c>, <c>--epochs</c>, <c>--seed</c>, <c>--windows</c> (how many training windows).</summary>
    public static void Run(string[] args)
    {
        int threads = ShapesRunner.IntOption(args, "--threads", 2);
        int epochs = ShapesRunner.IntOption(args, "--epochs", 5);
        int seed = ShapesRunner.IntOption(args, "--seed", 1);
        int count = ShapesRunner.IntOption(args, "--windows", 4096);
        var random = new Random(seed);
        var examples = new List<SequenceExample>(count);
        for (int i = 0; i < count; i++)
        {
            double phase = random.NextDouble() * 2 * Math.PI;
            var features = new float[Window * 2];
            for (int t = 0; t < Window; t++)
                features[2 * t] = (float)(Math.Sin(2 * Math.PI * t / 12 + phase) + 0.1 * (random.NextDouble() - 0.5));
            var targets = new float[Horizon];
            for (int h = 0; h < Horizon; h++)
                targets[h] = (float)Math.Sin(2 * Math.PI * (Window + h) / 12 + phase);
            examples.Add(SequenceExample.FromFeatures(features, targets));
        }
        var spec = new NetworkSpec(
            new EncoderSpec { Input = SequenceInputKind.Features, FeaturesPerStep = 2, HiddenSize = Hidden, Dropout = 0.1 },
            new ForecastHeadSpec { Horizon = Horizon, Quantiles = [0.5f, 0.1f, 0.9f], InputSkipSteps = Window, Dropout = 0.1 });
        var options = new TrainingOptions
        {
            Epochs = epochs, BatchSize = 32, LearningRate = 3e-3, GradientClipNorm = 5, EarlyStoppingPatience = 0,
            LearningRateDecayFactor = 1, ValidationFraction = 0, Threads = threads, Seed = seed,
        };
        var network = new SequenceNetwork<float>(spec, seed, threads);
        var trainer = new NetworkTrainer<float>(network, options);
        var clock = Stopwatch.StartNew();
        trainer.Train(examples);
        double trainSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        (double loss, _) = trainer.Evaluate(examples);
        double forecastSeconds = clock.Elapsed.TotalSeconds;
        Emit("train_windows_per_s", (double)count * epochs / trainSeconds);
        Emit("forecast_windows_per_s", count / forecastSeconds);
        Emit("final_pinball_loss", loss);
        if (args.Contains("--engine"))
            Emit("engine_observe_and_forecast_us", EngineMicroseconds(threads));
    }

    /// <summary>
    /// What one Observe + Forecast of the forecasting engine costs (µs, mean of 2,000 after 200 to warm up): it re-reads the
    /// 24-step window through the network each time (the per-window scaling changes with every observation).
    /// </summary>
    private static double EngineMicroseconds(int threads)
    {
        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, 240).Select(t => new SeriesRow { Value = (float)(100 + 10 * Math.Sin(2 * Math.PI * t / 12) + t * 0.1) }).ToList();
        var model = ml.Forecasting.ForecastByLstm(new LstmForecastingEstimator.Options
        {
            OutputColumnName = "Forecast", InputColumnName = nameof(SeriesRow.Value), Horizon = Horizon, WindowSize = Window,
            Epochs = 1, Seed = 1, NumberOfThreads = threads,
        }).Fit(ml.Data.LoadFromEnumerable(rows));
        var engine = model.CreateForecastingEngine();
        for (int i = 0; i < 200; i++)
        {
            engine.Observe(rows[i % rows.Count].Value);
            engine.Forecast();
        }
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 2000; i++)
        {
            engine.Observe(rows[i % rows.Count].Value);
            engine.Forecast();
        }
        return clock.Elapsed.TotalMicroseconds / 2000;
    }

    private sealed class SeriesRow
    {
        public float Value { get; set; }
    }

    private static void Emit(string metric, double value) =>
        Console.WriteLine(JsonSerializer.Serialize(new { engine = "mlnet-lstm", @case = "forecast-lstm32-w24-h12", metric, value }));
}
