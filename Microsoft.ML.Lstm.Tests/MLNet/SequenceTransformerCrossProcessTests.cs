using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.ML.Data;
using static Microsoft.ML.Lstm.Tests.MLNet.SequenceTestData;

namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>
/// Saves in this process and loads in another whose code never names the package, the way a
/// user's app loads a model: a binary classifier and a tagging pipeline. This is the test that
/// fails loudly when an ML.NET internal the package relies on moves.
/// </summary>
public class SequenceTransformerCrossProcessTests
{
    [Fact]
    public void ModelSavedHereLoadsAndScoresIdenticallyInAnotherProcess()
    {
        var mlContext = new MLContext(seed: 1);
        var rows = BinaryRows();
        var data = mlContext.Data.LoadFromEnumerable(rows);

        AssertLoadsAndScoresIdenticallyInAnotherProcess(mlContext, BinaryTransformer(mlContext), data, rows);
    }

    [Fact]
    public void TrainedLstmSavedHereLoadsAndScoresIdenticallyInAnotherProcess()
    {
        var mlContext = new MLContext(seed: 1);
        var rows = BinaryRows();
        var data = mlContext.Data.LoadFromEnumerable(rows);
        var options = LstmTestData.Tiny<LstmBinaryTrainer.Options>(featureColumnName: "Features", epochs: 3);
        options.FeaturesPerStep = FeaturesPerStep;

        var transformer = mlContext.BinaryClassification.Trainers.Lstm(options).Fit(data);

        AssertLoadsAndScoresIdenticallyInAnotherProcess(mlContext, transformer, data, rows);
    }

    /// <summary>
    /// An application may switch tiered compilation off (or tiered PGO); the JIT then compiles the GEMM's kernels
    /// without the profile data it otherwise shapes them with. The scores must keep their bits, and each kernel's depth
    /// loop (the micro-kernel's, and the few-rows kernels' that the recurrent steps of one sequence run) must keep its sums
    /// in registers: a kernel that gave the JIT a reason not to (a stackalloc, two runs of stores behind a branch) was
    /// compiled with every accumulator stored to the stack and read back at every step, three times slower. Read from the
    /// JIT's own listing of the kernels in the other process (x64 and ARM64 mnemonics).
    /// </summary>
    [Fact]
    public void TrainedLstmScoresIdenticallyWithTieredCompilationOffAndItsGemmLoopKeepsItsSumsInRegisters()
    {
        var mlContext = new MLContext(seed: 1);
        var (rows, data, transformer) = KernelCheckModel(mlContext);
        string listing = Path.Combine(Path.GetTempPath(), $"lstm-jit-{Guid.NewGuid():N}.txt");
        try
        {
            AssertLoadsAndScoresIdenticallyInAnotherProcess(mlContext, transformer, data, rows, KernelListingEnvironment(listing));

            // Without FMA (x86 before Haswell) the kernels multiply and add apart: the next test checks them there.
            if (!System.Runtime.Intrinsics.X86.Fma.IsSupported && !System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported)
                return;
            AssertKernelLoopsKeepTheirSumsInRegisters(File.ReadAllText(listing), IsVectorMultiplyAdd, exempt: null);
        }
        finally
        {
            File.Delete(listing);
        }
    }

    /// <summary>
    /// An x86 CPU without FMA multiplies and adds apart, rounded twice: with AVX (Sandy and Ivy Bridge; here AVX2 switched
    /// off in the other process, which takes FMA with it) in the 256-bit kernels, without AVX (here switched off) in the
    /// 128-bit ones. The scores move in their last bits only, and the depth loops must still keep their vectors in
    /// registers. They did not while the choice between the fused and the separate form went through a property the JIT
    /// could not fold as it imported the kernels: it kept B's vectors and A's broadcasts in memory, and the GEMM ran at a
    /// third of its speed (benchmarks/RESULTS.md, issue #15). The three-row, two-panel kernel is exempt: twelve sums, three
    /// broadcasts, a vector of B and the product need 17 of the 16 registers there, so one sum lives in L1.
    /// </summary>
    [Theory]
    [InlineData("DOTNET_EnableAVX2")]
    [InlineData("DOTNET_EnableAVX")]
    public void WithoutFmaTheScoresMoveInTheirLastBitsOnlyAndTheGemmLoopsKeepTheirSumsInRegisters(string switchedOff)
    {
        if (!System.Runtime.Intrinsics.X86.Sse.IsSupported)
            return; // ARM64 always fuses.
        var mlContext = new MLContext(seed: 1);
        var (rows, data, transformer) = KernelCheckModel(mlContext);
        var scored = transformer.Transform(data);
        float[] expectedScores = scored.GetColumn<float>("Score").ToArray();
        string modelPath = TemporaryModelPath();
        string sequencesPath = Path.ChangeExtension(modelPath, ".txt");
        string listing = Path.ChangeExtension(modelPath, ".jit.txt");
        try
        {
            mlContext.Model.Save(transformer, data.Schema, modelPath);
            File.WriteAllLines(sequencesPath,
                rows.Select(row => string.Join(',', row.Features.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));
            var environment = KernelListingEnvironment(listing);
            environment[switchedOff] = "0";

            var (exitCode, output, errors) = RunLoadCheck(modelPath, sequencesPath, environment: environment);

            Assert.True(exitCode == 0, $"LoadCheck exited with {exitCode}:\n{errors}");
            float[] scores = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(line => BitConverter.Int32BitsToSingle(int.Parse(line.Split(' ')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture)))
                .ToArray();
            Assert.Equal(expectedScores.Length, scores.Length);
            for (int i = 0; i < scores.Length; i++)
                Assert.True(Math.Abs(scores[i] - expectedScores[i]) <= 1e-5f * Math.Max(1f, Math.Abs(expectedScores[i])), $"Row {i}: {scores[i]} without FMA, {expectedScores[i]} with.");
            AssertKernelLoopsKeepTheirSumsInRegisters(File.ReadAllText(listing), IsVectorMultiply, exempt: "ThreeRowsTwoPanels");
        }
        finally
        {
            File.Delete(modelPath);
            File.Delete(sequencesPath);
            File.Delete(listing);
        }
    }

    /// <summary>
    /// A binary classifier and its rows for the kernel checks: sequences of 12 steps, so that scoring one projects its
    /// inputs through the micro-kernel's tiles (up to four rows take the few-rows kernel), and one of 3, whose projection
    /// takes the few-rows kernel's three-row loop; hidden 16, so that the gates fill a pair of panels at every width.
    /// </summary>
    private static (BinarySequenceRow[] Rows, IDataView Data, ITransformer Transformer) KernelCheckModel(MLContext mlContext)
    {
        var random = new Random(3);
        var rows = Enumerable.Range(0, 8)
            .Select(row => new BinarySequenceRow
            {
                Features = Enumerable.Range(0, (row == 0 ? 3 : 12) * FeaturesPerStep).Select(_ => (float)random.NextDouble()).ToArray(),
                Label = row % 2 == 0,
            })
            .ToArray();
        var data = mlContext.Data.LoadFromEnumerable(rows);
        var options = LstmTestData.Tiny<LstmBinaryTrainer.Options>(featureColumnName: "Features", epochs: 1);
        options.FeaturesPerStep = FeaturesPerStep;
        // 64 gate columns: two whole panels of the 512-bit kernels (32 columns each), which the three-row loop needs.
        options.HiddenSize = 16;
        return (rows, data, mlContext.BinaryClassification.Trainers.Lstm(options).Fit(data));
    }

    /// <summary>The other process's settings for the kernel checks: the JIT without tiers, listing the kernels into <paramref name="listing"/>.</summary>
    private static Dictionary<string, string> KernelListingEnvironment(string listing) => new()
    {
        ["DOTNET_TieredCompilation"] = "0",
        ["DOTNET_JitDisasm"] = "*MicroKernel:Run *FewRowsKernel*:*",
        ["DOTNET_JitStdOutFile"] = listing,
    };

    /// <summary>
    /// Asserts that the listing has the micro-kernel's and the three-row kernel's loops, and that no loop but
    /// <paramref name="exempt"/>'s touches the stack or copies a pointer before it loads.
    /// </summary>
    private static void AssertKernelLoopsKeepTheirSumsInRegisters(string listing, Func<string, bool> isMultiply, string? exempt)
    {
        var kernels = KernelLoops(listing, isMultiply).ToList();
        Assert.Contains(kernels, kernel => kernel.Method.Contains("MicroKernel:Run", StringComparison.Ordinal));
        Assert.Contains(kernels, kernel => kernel.Method.Contains("ThreeRowsTwoPanels", StringComparison.Ordinal));
        foreach (var (kernel, loop) in kernels)
        {
            if (exempt is not null && kernel.Contains(exempt, StringComparison.Ordinal))
                continue;
            var stackAccesses = loop.Where(IsStackAccess).ToList();
            Assert.True(stackAccesses.Count == 0, $"{kernel}'s depth loop reads or writes the stack:\n{string.Join('\n', stackAccesses)}");
            var copies = loop.Where(IsRegisterCopy).ToList();
            Assert.True(copies.Count == 0, $"{kernel}'s depth loop copies a pointer before it loads:\n{string.Join('\n', copies)}");
        }
    }

    /// <summary>Each listed method and its depth loop: the block of its listing with the most vector multiplies (<paramref name="isMultiply"/>).</summary>
    private static IEnumerable<(string Method, List<string> Loop)> KernelLoops(string listing, Func<string, bool> isMultiply)
    {
        foreach (string method in listing.Split("; Assembly listing for method ", StringSplitOptions.RemoveEmptyEntries))
        {
            string name = method[..method.IndexOf('\n')];
            var blocks = new List<List<string>>();
            foreach (string line in method.Split('\n'))
            {
                if (line.StartsWith("G_M", StringComparison.Ordinal) && line.Contains("_IG", StringComparison.Ordinal))
                    blocks.Add(new List<string>());
                else if (blocks.Count > 0)
                    blocks[^1].Add(line.Trim());
            }
            List<string> loop = blocks.MaxBy(block => block.Count(isMultiply)) ?? new List<string>();
            if (loop.Count(isMultiply) >= 2)
                yield return (name, loop);
        }
    }

    /// <summary>A vector multiply without FMA, SSE or VEX encoded (<c>mulps</c>, <c>vmulps</c>).</summary>
    private static bool IsVectorMultiply(string instruction) =>
        instruction.StartsWith("mulps", StringComparison.Ordinal) || instruction.StartsWith("vmulps", StringComparison.Ordinal);

    private static bool IsVectorMultiplyAdd(string instruction) =>
        instruction.StartsWith("vfmadd", StringComparison.Ordinal) || instruction.StartsWith("fmla", StringComparison.Ordinal);

    /// <summary>
    /// An x64 general register copied to another (<c>mov r15, r9</c>): what the few-rows kernels' loops did for their
    /// loads of B while each went through a span made around the pointer (the copy, and the address rebuilt in it): the
    /// one-row loop over four panels ran 43 instructions where 35 do.
    /// </summary>
    private static bool IsRegisterCopy(string instruction) =>
        Regex.IsMatch(instruction, @"^mov\s+r[a-z0-9]+, r[a-z0-9]+$");

    private static bool IsStackAccess(string instruction) =>
        instruction.Contains("[rbp", StringComparison.Ordinal) || instruction.Contains("[rsp", StringComparison.Ordinal)
        || instruction.Contains("[fp", StringComparison.Ordinal) || instruction.Contains("[sp", StringComparison.Ordinal);

    [Fact]
    public void TrainedTaggerPipelineSavedHereLoadsAndTagsIdenticallyInAnotherProcess()
    {
        var mlContext = new MLContext(seed: 1);
        var raw = mlContext.Data.LoadFromEnumerable(TaggingTestData.Sentences(60, seed: 1, testNames: false));
        var labelled = mlContext.Transforms.Conversion.MapValueToKey("Label", "Tags").Fit(raw).Transform(raw);
        var model = mlContext.Transforms.Conversion.MapValueToKey("TokenKeys", "Tokens")
            .Append(mlContext.MulticlassClassification.Trainers.LstmTagger(TaggingTestData.Tiny(epochs: 2)))
            .Fit(labelled);
        TaggedSentence[] sentences = TaggingTestData.Sentences(8, seed: 2, testNames: true);
        var scored = model.Transform(mlContext.Data.LoadFromEnumerable(sentences));
        var expected = scored.GetColumn<uint[]>("PredictedLabel")
            .Zip(scored.GetColumn<float[]>("Score"))
            .Select(p => string.Join(',', p.First) + " " + string.Join(',', p.Second.Select(v => BitConverter.SingleToInt32Bits(v).ToString("x8", CultureInfo.InvariantCulture))))
            .ToList();

        string modelPath = TemporaryModelPath();
        string sentencesPath = Path.ChangeExtension(modelPath, ".txt");
        try
        {
            mlContext.Model.Save(model, labelled.Schema, modelPath);
            File.WriteAllLines(sentencesPath, sentences.Select(sentence => string.Join(' ', sentence.Tokens)));

            var (exitCode, output, errors) = RunLoadCheck(modelPath, sentencesPath, "tagging");

            Assert.True(exitCode == 0, $"LoadCheck exited with {exitCode}:\n{errors}");
            Assert.Contains("loaded Microsoft.ML.Lstm.SequenceTaggingTransformer", errors);
            Assert.Equal(expected, output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
        finally
        {
            File.Delete(modelPath);
            File.Delete(sentencesPath);
        }
    }

    [Fact]
    public void TrainedForecasterSavedHereLoadsAndForecastsIdenticallyInAnotherProcess()
    {
        var mlContext = new MLContext(seed: 1);
        var rows = ForecastTestData.Rows("a", ForecastTestData.Seasonal(80, 50, 1, seed: 1))
            .Concat(ForecastTestData.Rows("b", ForecastTestData.Seasonal(80, 400, 4, seed: 2))).ToList();
        var data = mlContext.Data.LoadFromEnumerable(rows);
        var options = new LstmForecastingEstimator.Options
        {
            OutputColumnName = "Forecast", InputColumnName = "Value", SeriesColumnName = "Series", Horizon = 6, HiddenSize = 8, Epochs = 2, Seed = 1,
        };
        var model = mlContext.Forecasting.ForecastByLstm(options).Fit(data);
        var expected = model.Transform(data).GetColumn<float[]>("Forecast")
            .Select(forecast => string.Join(',', forecast.Select(v => BitConverter.SingleToInt32Bits(v).ToString("x8", CultureInfo.InvariantCulture))))
            .ToList();

        string modelPath = TemporaryModelPath();
        string observationsPath = Path.ChangeExtension(modelPath, ".txt");
        try
        {
            mlContext.Model.Save(model, data.Schema, modelPath);
            File.WriteAllLines(observationsPath, rows.Select(row => $"{row.Series},{row.Value.ToString("R", CultureInfo.InvariantCulture)}"));

            var (exitCode, output, errors) = RunLoadCheck(modelPath, observationsPath, "forecast");

            Assert.True(exitCode == 0, $"LoadCheck exited with {exitCode}:\n{errors}");
            Assert.Contains("loaded Microsoft.ML.Lstm.LstmForecastingTransformer", errors);
            Assert.Equal(expected, output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
        finally
        {
            File.Delete(modelPath);
            File.Delete(observationsPath);
        }
    }

    private static void AssertLoadsAndScoresIdenticallyInAnotherProcess(
        MLContext mlContext, ITransformer transformer, IDataView data, BinarySequenceRow[] rows, Dictionary<string, string>? environment = null)
    {
        var scored = transformer.Transform(data);
        var expected = FloatBits(scored, "Score")
            .Zip(FloatBits(scored, "Probability"), Values<bool>(scored, "PredictedLabel"))
            .Select(p => $"{p.First:x8} {p.Second:x8} {(p.Third ? "true" : "false")}")
            .ToList();

        string modelPath = TemporaryModelPath();
        string sequencesPath = Path.ChangeExtension(modelPath, ".txt");
        try
        {
            mlContext.Model.Save(transformer, data.Schema, modelPath);
            File.WriteAllLines(sequencesPath,
                rows.Select(row => string.Join(',', row.Features.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));

            var (exitCode, output, errors) = RunLoadCheck(modelPath, sequencesPath, environment: environment);

            Assert.True(exitCode == 0, $"LoadCheck exited with {exitCode}:\n{errors}");
            Assert.Contains("loaded Microsoft.ML.Lstm.SequenceBinaryClassificationTransformer", errors);
            Assert.Equal(expected, output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
        finally
        {
            File.Delete(modelPath);
            File.Delete(sequencesPath);
        }
    }

    private static (int ExitCode, string Output, string Errors) RunLoadCheck(
        string modelPath, string sequencesPath, string? mode = null, Dictionary<string, string>? environment = null)
    {
        string app = typeof(SequenceTransformerCrossProcessTests).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == "LoadCheckApp").Value!;
        Assert.True(File.Exists(app), $"The LoadCheck app was not built at {app}.");

        var start = new ProcessStartInfo(DotnetHost(), mode is null ? ["exec", app, modelPath, sequencesPath] : ["exec", app, modelPath, sequencesPath, mode])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment ?? [])
            start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill();
            Assert.Fail("LoadCheck did not finish within two minutes.");
        }
        return (process.ExitCode, output, errors.Result);
    }

    /// <summary>The dotnet host running these tests, so the child uses the same runtime.</summary>
    private static string DotnetHost()
    {
        string? fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
            return fromSdk;
        string? current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }
}
