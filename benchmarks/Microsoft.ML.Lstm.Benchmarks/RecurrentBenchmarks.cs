using BenchmarkDotNet.Attributes;
using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>Training and inference of the shapes under BenchmarkDotNet; one operation is one batch.</summary>
[MemoryDiagnoser]
public class RecurrentBenchmarks
{
    private RecurrentShape bench = null!;

    [Params("lstm", "gru", "lstm-bi")]
    public string Kind { get; set; } = "lstm";

    [Params("a", "b", "c")]
    public string Shape { get; set; } = "a";

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var (input, hidden, layers, batch, steps) = RecurrentShape.Shapes[Shape];
        CellType cell = Kind.StartsWith("gru", StringComparison.Ordinal) ? CellType.Gru : CellType.Lstm;
        bench = new RecurrentShape(cell, Kind.EndsWith("-bi", StringComparison.Ordinal), input, hidden, layers, batch, steps, Threads);
    }

    [Benchmark]
    public void Train() => bench.TrainStep();

    [Benchmark]
    public void Infer() => bench.Infer();
}

/// <summary>The one-row scoring path: one sequence of 50 steps, hidden 128.</summary>
[MemoryDiagnoser]
public class LatencyBenchmarks
{
    private readonly SingleSequenceLatency latency = new();

    [Benchmark]
    public void PredictOneSequence() => latency.Predict();
}
