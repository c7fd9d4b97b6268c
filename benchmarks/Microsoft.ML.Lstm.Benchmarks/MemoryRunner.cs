using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>
/// The `memory` mode: what a training step of each shape keeps in memory beyond its inputs and parameters,
/// against the activations back-propagation through time cannot do without, what a step allocates once
/// its buffers exist (they are reused from batch to batch), and what a scoring call (forward only) keeps.
/// </summary>
/// <remarks>
/// The minimum per time step of a sequence and per direction is what the backward pass must read: for the LSTM
/// i, f, g, o, c_t and h_t (6H values), for the GRU r, z, n, h_{t−1}·W_hn + b_hn and h_t (5H). Measured is the
/// growth of the managed heap over the first training step (every workspace, packed weight and GEMM buffer the
/// step creates), plus the stack's output array, which the caller owns but which holds h_t.
/// </remarks>
internal static class MemoryRunner
{
    public static void Run(string[] args)
    {
        int threads = ShapesRunner.IntOption(args, "--threads", 2);
        string[] cases = ShapesRunner.StringOption(args, "--cases", "lstm-a,gru-a,lstm-bi-a,lstm-c").Split(',');
        Console.WriteLine($"threads {threads}");
        Console.WriteLine("| case | kept by a training step (MB) | BPTT minimum (MB) | ratio | allocated per later step (bytes) | kept by a scoring call (MB) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (string name in cases)
        {
            int dash = name.LastIndexOf('-');
            string kind = name[..dash];
            var (input, hidden, layers, batch, steps) = RecurrentShape.Shapes[name[(dash + 1)..]];
            bool bidirectional = kind.EndsWith("-bi", StringComparison.Ordinal);
            CellType cell = kind.StartsWith("gru", StringComparison.Ordinal) ? CellType.Gru : CellType.Lstm;

            var shape = new RecurrentShape(cell, bidirectional, input, hidden, layers, batch, steps, threads);
            long constructed = GC.GetTotalMemory(forceFullCollection: true);
            shape.TrainStep();
            long kept = GC.GetTotalMemory(forceFullCollection: true) - constructed + shape.OutputBytes;

            long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            const int laterSteps = 10;
            for (int i = 0; i < laterSteps; i++)
                shape.TrainStep();
            long perStep = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / laterSteps;

            // A scoring call of a fresh network of the same shape: its buffers, beyond the output array, as for training.
            var scoring = new RecurrentShape(cell, bidirectional, input, hidden, layers, batch, steps, threads);
            long scoringConstructed = GC.GetTotalMemory(forceFullCollection: true);
            scoring.Infer();
            long scoringKept = GC.GetTotalMemory(forceFullCollection: true) - scoringConstructed + scoring.OutputBytes;
            GC.KeepAlive(scoring);

            int directions = bidirectional ? 2 : 1;
            long minimum = (long)batch * steps * layers * directions * (cell == CellType.Gru ? 5 : 6) * hidden * sizeof(float);
            Console.WriteLine($"| {name} | {kept / 1e6:F1} | {minimum / 1e6:F1} | {(double)kept / minimum:F2} | {perStep:N0} | {scoringKept / 1e6:F1} |");
            GC.KeepAlive(shape);
        }
    }
}
