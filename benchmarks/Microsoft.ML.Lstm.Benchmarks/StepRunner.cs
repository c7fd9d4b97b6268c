using System.Text.Json;
using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm.Benchmarks;

/// <summary>
/// The `step` mode: the LSTM's recurrent steps alone, on arrays laid out as <c>RecurrentLayer</c> lays them out (a gates
/// buffer [steps·batch, 4H] the input projection filled, cells and hidden states [steps·batch, H]), one thread, timed by
/// the thread's CPU time: each variant runs every step of the sequence once per round, the variants alternating, and
/// the median round of each is printed as JSON lines.
/// </summary>
/// <remarks>
/// Variants: <c>product</c> (h_{t−1}·W_hhᵀ added into the step's gates, nothing else), <c>product-hot</c> (the same products all into the first step's gates from one A, all in cache), <c>cells</c> (the fused
/// elementwise kernel alone) and <c>step</c> (the product, then the kernel, as <c>RecurrentLayer</c> runs a step).
/// Options: <c>--hidden H</c> (256), <c>--batch B</c> (64), <c>--steps T</c> (100), <c>--rounds N</c> (15),
/// <c>--variants</c> (a comma list). The gates are restored from a copy before every round, outside the clock.
/// </remarks>
internal static class StepRunner
{
    public static void Run(string[] args)
    {
        int hidden = ShapesRunner.IntOption(args, "--hidden", 256), batch = ShapesRunner.IntOption(args, "--batch", 64);
        int steps = ShapesRunner.IntOption(args, "--steps", 100), rounds = ShapesRunner.IntOption(args, "--rounds", 15);
        string[] variants = ShapesRunner.StringOption(args, "--variants", "product,product-hot,cells,step").Split(',');
        int width = 4 * hidden, rows = steps * batch;
        var random = new Random(1);
        float[] weights = Fill(width * hidden, random, 1f / MathF.Sqrt(hidden));
        PackedMatrix packed = Gemm.Pack(true, hidden, width, weights, hidden);
        float[] pristine = Fill(rows * width, random, 2f), gates = new float[rows * width];
        var cells = new float[rows * hidden];
        var output = new float[rows * hidden];
        float[] initial = Fill(batch * hidden, random, 0.5f);

        void Sequence(string variant)
        {
            for (int t = 0; t < steps; t++)
            {
                Span<float> stepGates = gates.AsSpan(t * batch * width, batch * width);
                ReadOnlySpan<float> hPrev = t == 0 ? initial : output.AsSpan((t - 1) * batch * hidden, batch * hidden);
                ReadOnlySpan<float> cPrev = t == 0 ? initial : cells.AsSpan((t - 1) * batch * hidden, batch * hidden);
                Span<float> c = cells.AsSpan(t * batch * hidden, batch * hidden), h = output.AsSpan(t * batch * hidden, batch * hidden);
                switch (variant)
                {
                    case "product":
                        Gemm.Multiply(false, batch, 1f, hPrev, hidden, packed, 1f, stepGates, width);
                        break;
                    case "product-hot":
                        // The same products into one slice from one A: C and A stay in cache, as a repeated benchmark finds them.
                        Gemm.Multiply(false, batch, 1f, initial, hidden, packed, 1f, gates.AsSpan(0, batch * width), width);
                        break;
                    case "cells":
                        LstmKernels.ForwardStep(stepGates, cPrev, c, h, batch, hidden);
                        break;
                    case "step":
                        Gemm.Multiply(false, batch, 1f, hPrev, hidden, packed, 1f, stepGates, width);
                        LstmKernels.ForwardStep(stepGates, cPrev, c, h, batch, hidden);
                        break;
                    default:
                        throw new ArgumentException($"No variant '{variant}': product, product-hot, cells or step.");
                }
            }
        }

        var times = variants.ToDictionary(v => v, _ => new List<double>());
        for (int round = -1; round < rounds; round++)
        {
            foreach (string variant in variants)
            {
                pristine.CopyTo(gates, 0);
                double start = GemmRunner.ThreadSeconds();
                Sequence(variant);
                double elapsed = GemmRunner.ThreadSeconds() - start;
                if (round >= 0)
                    times[variant].Add(elapsed);
            }
        }

        double flops = 2.0 * steps * batch * hidden * width;
        foreach (string variant in variants)
        {
            List<double> sorted = times[variant].Order().ToList();
            double median = sorted[sorted.Count / 2];
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                variant, hidden, batch, steps, median_ms = median * 1e3, best_ms = sorted[0] * 1e3,
                product_gflops_at_median = flops / median / 1e9,
            }));
        }
    }

    private static float[] Fill(int length, Random random, float scale)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
            values[i] = (float)(random.NextDouble() * 2 - 1) * scale;
        return values;
    }
}
