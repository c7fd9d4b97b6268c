using Microsoft.ML.Lstm.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// Writes a <see cref="SequenceNetwork{T}"/> of float into a <see cref="ModelFile"/>'s sections and reads it back,
/// bit for bit. Three sections (int32 and enums 4 bytes, float64 8, bool 1, strings length-prefixed UTF-8):
/// <code>
/// "network.spec"     encoder: input kind · vocabulary size · embedding size · features per step ·
///                    extra features per step · character vocabulary, embedding and hidden sizes ·
///                    cell · hidden size · layer count · bidirectional · merge · dropout
///                    head: kind (string) · dropout · the kind's own fields (see WriteHead)
/// "network.encoder"  the encoder's parameters   } each: count · per parameter: name · rank · dimensions ·
/// "network.head"     the head's parameters      }       then every value (float32), parameter after parameter
/// "network.compressed"  only for a network compressed for scoring (<see cref="WeightCompression"/>): format ·
///                    count · per matrix: parameter name · rows · columns; then per matrix: (int8) a scale per row,
///                    float32 · every weight, row-major (bfloat16: uint16 each; int8: one byte each). The encoder
///                    section still lists these parameters, but holds no values for them. The file is then of format
///                    version 2 (<see cref="ModelFile.CompressedWeightsVersion"/>), which older libraries refuse by number.
/// </code>
/// Reading builds nothing until the spec has been checked against this library's limits and the parameter
/// sections are known to hold every weight the spec implies; the network is then built without initialisation
/// and its weights read straight into place. Any malformed input fails with <see cref="InvalidDataException"/>.
/// </summary>
internal static class NetworkSerializer
{
    private const string SpecSection = "network.spec", EncoderSection = "network.encoder", HeadSection = "network.head";
    private const string CompressedSection = "network.compressed";
    private const int MaxCompressedMatrices = 4096;
    private const string HeadPrefix = "head.";
    private const string PooledDenseKind = "pooled-dense", StepSoftmaxKind = "step-softmax", CrfKind = "crf", ForecastKind = "forecast";
    private const string LanguageModelKind = "language-model", PooledFeaturesKind = "pooled-features";
    private const string ForecastWithCovariatesKind = "forecast-covariates";
    private const string AdaptiveLanguageModelKind = "language-model-adaptive";
    private const int MaxNameLength = 256, MaxRank = 4;

    /// <summary>Writes the network's architecture and weights into <paramref name="file"/>.</summary>
    public static void Write(ModelFileWriter file, SequenceNetwork<float> network)
    {
        WeightCompression? compression = network.Parameters.Compression;
        var compressed = compression?.Weights.Select(weight => weight.Name).ToHashSet(StringComparer.Ordinal);
        WriteSpec(file.Section(SpecSection), network.Spec);
        WriteParameters(file.Section(EncoderSection), network.Parameters, head: false, compressed);
        WriteParameters(file.Section(HeadSection), network.Parameters, head: true, compressed);
        if (compression is not null)
        {
            file.RequireFormatVersion(ModelFile.CompressedWeightsVersion);
            WriteCompressed(file.Section(CompressedSection), compression);
        }
    }

    /// <summary>Writes the architecture alone: the contents of the spec section.</summary>
    public static void WriteSpec(ModelSectionWriter writer, NetworkSpec spec)
    {
        WriteEncoder(writer, spec.Encoder);
        WriteHead(writer, spec.Head);
    }

    /// <summary>Reads a network written by <see cref="Write"/>, ready to run on <paramref name="threads"/> threads.</summary>
    public static SequenceNetwork<float> Read(ModelFile file, int threads)
    {
        ModelSectionReader specReader = file.Open(SpecSection);
        NetworkSpec spec = Checked(() => new NetworkSpec(ReadEncoder(specReader), ReadHead(specReader)));
        specReader.ExpectEnd();

        ModelSectionReader encoder = file.Open(EncoderSection), head = file.Open(HeadSection);
        ModelSectionReader? compressedReader = file.Contains(CompressedSection) ? file.Open(CompressedSection) : null;
        // Compressed matrices: their names and sizes, checked against what the spec holds before anything is allocated.
        (WeightFormat Format, List<(string Name, int Rows, int Columns)> Matrices)? compressed =
            compressedReader is null ? null : ReadCompressedHeader(compressedReader, spec.Encoder.ParameterCount());
        long compressedCount = compressed?.Matrices.Sum(matrix => (long)matrix.Rows * matrix.Columns) ?? 0;
        // Every other weight is 4 bytes of one of the two sections: refuse a spec the file cannot back before allocating for it.
        encoder.EnsureHolds("encoder weights", spec.Encoder.ParameterCount() - compressedCount, sizeof(float));
        head.EnsureHolds("head weights", spec.Head.ParameterCount(spec.Encoder), sizeof(float));
        compressedReader?.EnsureHolds("compressed weights", compressedCount, compressed!.Value.Format == WeightFormat.BFloat16 ? sizeof(ushort) : 1);

        var network = SequenceNetwork<float>.CreateForLoading(spec, threads);
        HashSet<string>? compressedNames = compressed is null ? null : CheckCompressedNames(compressed.Value.Matrices, network.Parameters);
        ReadParameters(encoder, network.Parameters, head: false, compressedNames);
        ReadParameters(head, network.Parameters, head: true, compressedNames);
        if (compressed is null)
            network.Parameters.MarkChanged();
        else
        {
            WeightCompression compression = ReadCompressedValues(compressedReader!, compressed.Value.Format, compressed.Value.Matrices);
            compression.AttachTo(network.Parameters);
        }
        int bad = IndexOfNonFinite(network.Parameters.Values);
        if (bad >= 0)
            throw new InvalidDataException($"The model file's weight {bad} is {network.Parameters.Values[bad]}; a trained network's weights are finite.");
        return network;
    }

    /// <summary>The format, then each matrix's name and size, then the values: scales (int8) and weights of each matrix.</summary>
    private static void WriteCompressed(ModelSectionWriter writer, WeightCompression compression)
    {
        writer.WriteEnum(compression.Format);
        writer.WriteInt32(compression.Weights.Count);
        foreach (CompressedWeight weight in compression.Weights)
        {
            writer.WriteString(weight.Name);
            writer.WriteInt32(weight.Values.Rows);
            writer.WriteInt32(weight.Values.Columns);
        }
        foreach (CompressedWeight weight in compression.Weights)
        {
            if (weight.Values.RowScales is float[] scales)
                writer.WriteFloats(scales);
            if (weight.Values.BFloat16Values is ushort[] bits)
                writer.WriteUInt16s(bits);
            else
                writer.WriteSBytes(weight.Values.Int8Values);
        }
    }

    /// <summary>The compressed section's format and list of matrices, whose weights add up to at most the encoder's <paramref name="encoderWeights"/>.</summary>
    private static (WeightFormat, List<(string, int, int)>) ReadCompressedHeader(ModelSectionReader reader, long encoderWeights)
    {
        WeightFormat format = reader.ReadEnum<WeightFormat>("weight format");
        int count = reader.ReadCount("compressed matrices", MaxCompressedMatrices, 3 * sizeof(int));
        var matrices = new List<(string, int, int)>(count);
        long total = 0;
        for (int i = 0; i < count; i++)
        {
            string name = reader.ReadString("compressed matrix name", MaxNameLength);
            int rows = reader.ReadInt32("compressed matrix rows", 1, int.MaxValue);
            int columns = reader.ReadInt32("compressed matrix columns", 1, int.MaxValue);
            total += (long)rows * columns;
            if (total > encoderWeights)
                throw new InvalidDataException($"The model file's section '{CompressedSection}' declares more compressed weights than the encoder's {encoderWeights}.");
            matrices.Add((name, rows, columns));
        }
        return (format, matrices);
    }

    /// <summary>Checks that each compressed matrix is a distinct compressible parameter of the encoder, of its shape.</summary>
    private static HashSet<string> CheckCompressedNames(List<(string Name, int Rows, int Columns)> matrices, ParameterStore<float> store)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string name, int rows, int columns) in matrices)
        {
            ParameterView? view = store.Views.FirstOrDefault(v => v.Name == name);
            if (view is null || !WeightCompression.IsCompressible(view) || view.Shape[0] != rows || view.Shape[1] != columns)
                throw new InvalidDataException($"The model file's compressed matrix '{name}' [{rows}, {columns}] is not a recurrent weight matrix of the network's encoder.");
            if (!names.Add(name))
                throw new InvalidDataException($"The model file's section '{CompressedSection}' holds the matrix '{name}' twice.");
        }
        return names;
    }

    private static WeightCompression ReadCompressedValues(ModelSectionReader reader, WeightFormat format, List<(string Name, int Rows, int Columns)> matrices)
    {
        var weights = new List<(string, QuantizedMatrix)>(matrices.Count);
        try
        {
            foreach ((string name, int rows, int columns) in matrices)
            {
                int count = rows * columns;
                if (format == WeightFormat.BFloat16)
                {
                    var bits = new ushort[count];
                    reader.ReadUInt16s(name, bits);
                    weights.Add((name, QuantizedMatrix.FromBFloat16(rows, columns, bits)));
                }
                else
                {
                    float[] scales = reader.ReadFloats($"{name} row scales", rows);
                    var values = new sbyte[count];
                    reader.ReadSBytes(name, values);
                    weights.Add((name, QuantizedMatrix.FromInt8(rows, columns, values, scales)));
                }
            }
            reader.ExpectEnd();
            return WeightCompression.Create(format, weights);
        }
        catch (ArgumentException error)
        {
            throw new InvalidDataException($"The model file's section '{CompressedSection}' is invalid: {error.Message}", error);
        }
    }

    private static void WriteEncoder(ModelSectionWriter writer, EncoderSpec spec)
    {
        writer.WriteEnum(spec.Input);
        writer.WriteInt32(spec.VocabularySize);
        writer.WriteInt32(spec.EmbeddingSize);
        writer.WriteInt32(spec.FeaturesPerStep);
        writer.WriteInt32(spec.ExtraFeaturesPerStep);
        writer.WriteInt32(spec.CharacterVocabularySize);
        writer.WriteInt32(spec.CharacterEmbeddingSize);
        writer.WriteInt32(spec.CharacterHiddenSize);
        writer.WriteEnum(spec.Cell);
        writer.WriteInt32(spec.HiddenSize);
        writer.WriteInt32(spec.LayerCount);
        writer.WriteBoolean(spec.Bidirectional);
        writer.WriteEnum(spec.Merge);
        writer.WriteDouble(spec.Dropout);
    }

    private static EncoderSpec ReadEncoder(ModelSectionReader reader) => new()
    {
        Input = reader.ReadEnum<SequenceInputKind>("input kind"),
        VocabularySize = reader.ReadInt32("vocabulary size", 0, EncoderSpec.MaxVocabularySize),
        EmbeddingSize = reader.ReadInt32("embedding size", 0, EncoderSpec.MaxWidth),
        FeaturesPerStep = reader.ReadInt32("features per step", 0, EncoderSpec.MaxWidth),
        ExtraFeaturesPerStep = reader.ReadInt32("extra features per step", 0, EncoderSpec.MaxWidth),
        CharacterVocabularySize = reader.ReadInt32("character vocabulary size", 0, EncoderSpec.MaxVocabularySize),
        CharacterEmbeddingSize = reader.ReadInt32("character embedding size", 0, EncoderSpec.MaxWidth),
        CharacterHiddenSize = reader.ReadInt32("character hidden size", 0, EncoderSpec.MaxWidth),
        Cell = reader.ReadEnum<CellType>("cell type"),
        HiddenSize = reader.ReadInt32("hidden size", 1, EncoderSpec.MaxWidth),
        LayerCount = reader.ReadInt32("layer count", 1, EncoderSpec.MaxLayerCount),
        Bidirectional = reader.ReadBoolean("bidirectional"),
        Merge = reader.ReadEnum<MergeMode>("merge mode"),
        Dropout = reader.ReadDouble("encoder dropout", 0, 0.999),
    };

    /// <summary>The head's kind, its dropout, then what that kind needs. A new head adds its kind here.</summary>
    private static void WriteHead(ModelSectionWriter writer, HeadSpec spec)
    {
        switch (spec)
        {
            case PooledHeadSpec pooled:
                writer.WriteString(PooledDenseKind);
                writer.WriteDouble(pooled.Dropout);
                writer.WriteEnum(pooled.Pooling);
                writer.WriteInt32(pooled.OutputSize);
                writer.WriteEnum(pooled.Loss);
                writer.WriteDouble(pooled.HuberDelta);
                writer.WriteBoolean(pooled.ClassWeights is not null);
                if (pooled.ClassWeights is not null)
                    writer.WriteFloats(pooled.ClassWeights);
                break;
            case StepSoftmaxHeadSpec step:
                writer.WriteString(StepSoftmaxKind);
                writer.WriteDouble(step.Dropout);
                writer.WriteInt32(step.ClassCount);
                break;
            case CrfHeadSpec crf:
                // tags · then for the transitions, starts and ends: whether constrained · if so each flag (K·K, K, K)
                writer.WriteString(CrfKind);
                writer.WriteDouble(crf.Dropout);
                writer.WriteInt32(crf.ClassCount);
                WriteFlags(writer, crf.AllowedTransitions);
                WriteFlags(writer, crf.AllowedStarts);
                WriteFlags(writer, crf.AllowedEnds);
                break;
            case LanguageModelHeadSpec languageModel:
                // outputs (tokens, or values of a float step) · bidirectional [· only in the kind
                // "language-model-adaptive": cutoffs (count · each) · whether ranked · if so each token id by rank;
                // a full softmax writes what the first format did]
                writer.WriteString(languageModel.IsAdaptive ? AdaptiveLanguageModelKind : LanguageModelKind);
                writer.WriteDouble(languageModel.Dropout);
                writer.WriteInt32(languageModel.OutputSize);
                writer.WriteBoolean(languageModel.Bidirectional);
                if (languageModel.IsAdaptive)
                {
                    writer.WriteInt32(languageModel.Cutoffs.Length);
                    foreach (int cutoff in languageModel.Cutoffs)
                        writer.WriteInt32(cutoff);
                    writer.WriteBoolean(languageModel.TokenRanking is not null);
                    foreach (int token in languageModel.TokenRanking ?? [])
                        writer.WriteInt32(token);
                }
                break;
            case PooledFeaturesHeadSpec features:
                // count of modes · each mode
                writer.WriteString(PooledFeaturesKind);
                writer.WriteDouble(features.Dropout);
                writer.WriteInt32(features.Modes.Length);
                foreach (PoolingMode mode in features.Modes)
                    writer.WriteEnum(mode);
                break;
            case ForecastHeadSpec forecast:
                // horizon · quantile levels (count · each) · input skip steps [· future covariates · their offset,
                // only in the kind "forecast-covariates": a head without them writes what the first format did]
                writer.WriteString(forecast.FutureCovariates > 0 ? ForecastWithCovariatesKind : ForecastKind);
                writer.WriteDouble(forecast.Dropout);
                writer.WriteInt32(forecast.Horizon);
                writer.WriteInt32(forecast.Quantiles.Length);
                writer.WriteFloats(forecast.Quantiles);
                writer.WriteInt32(forecast.InputSkipSteps);
                if (forecast.FutureCovariates > 0)
                {
                    writer.WriteInt32(forecast.FutureCovariates);
                    writer.WriteInt32(forecast.FutureCovariateOffset);
                }
                break;
            default:
                throw new NotSupportedException($"No file format for a head of type {spec.GetType().Name}.");
        }
    }

    private static HeadSpec ReadHead(ModelSectionReader reader)
    {
        string kind = reader.ReadString("head kind", 64);
        double dropout = reader.ReadDouble("head dropout", 0, 0.999);
        switch (kind)
        {
            case PooledDenseKind:
                PoolingMode pooling = reader.ReadEnum<PoolingMode>("pooling mode");
                int outputs = reader.ReadInt32("head outputs", 1, PooledHeadSpec.MaxOutputSize);
                LossKind loss = reader.ReadEnum<LossKind>("loss");
                double huberDelta = reader.ReadDouble("Huber delta", double.Epsilon, double.MaxValue);
                float[]? classWeights = reader.ReadBoolean("has class weights") ? reader.ReadFloats("class weights", outputs) : null;
                return new PooledHeadSpec
                {
                    Dropout = dropout, Pooling = pooling, OutputSize = outputs, Loss = loss, HuberDelta = huberDelta, ClassWeights = classWeights,
                };
            case StepSoftmaxKind:
                return new StepSoftmaxHeadSpec { Dropout = dropout, ClassCount = reader.ReadInt32("classes", 2, StepSoftmaxHeadSpec.MaxClassCount) };
            case CrfKind:
                int tags = reader.ReadInt32("CRF tags", 2, CrfHeadSpec.MaxClassCount);
                return new CrfHeadSpec
                {
                    Dropout = dropout,
                    ClassCount = tags,
                    AllowedTransitions = ReadFlags(reader, "allowed transitions", tags * tags),
                    AllowedStarts = ReadFlags(reader, "allowed starts", tags),
                    AllowedEnds = ReadFlags(reader, "allowed ends", tags),
                };
            case LanguageModelKind or AdaptiveLanguageModelKind:
                int lmOutputs = reader.ReadInt32("language model outputs", 1, StepSoftmaxHeadSpec.MaxClassCount);
                bool lmBidirectional = reader.ReadBoolean("bidirectional language model");
                if (kind == LanguageModelKind)
                    return new LanguageModelHeadSpec { Dropout = dropout, OutputSize = lmOutputs, Bidirectional = lmBidirectional };
                var cutoffs = new int[reader.ReadCount("adaptive softmax cutoffs", LanguageModelHeadSpec.MaxTailClusters, sizeof(int))];
                for (int i = 0; i < cutoffs.Length; i++)
                    cutoffs[i] = reader.ReadInt32("adaptive softmax cutoff", 1, lmOutputs - 1);
                int[]? ranking = null;
                if (reader.ReadBoolean("adaptive softmax token ranking"))
                {
                    reader.EnsureHolds("ranked tokens", lmOutputs, sizeof(int));
                    ranking = new int[lmOutputs];
                    for (int i = 0; i < ranking.Length; i++)
                        ranking[i] = reader.ReadInt32("ranked token", 0, lmOutputs - 1);
                }
                return new LanguageModelHeadSpec
                {
                    Dropout = dropout, OutputSize = lmOutputs, Bidirectional = lmBidirectional, Cutoffs = cutoffs, TokenRanking = ranking,
                };
            case PooledFeaturesKind:
                var modes = new PoolingMode[reader.ReadInt32("pooling modes", 1, 3)];
                for (int i = 0; i < modes.Length; i++)
                    modes[i] = reader.ReadEnum<PoolingMode>("pooling mode");
                return new PooledFeaturesHeadSpec { Dropout = dropout, Modes = modes };
            case ForecastKind or ForecastWithCovariatesKind:
                int horizon = reader.ReadInt32("forecast horizon", 1, ForecastHeadSpec.MaxHorizon);
                int levels = reader.ReadInt32("quantile levels", 1, ForecastHeadSpec.MaxQuantileCount);
                float[] quantiles = reader.ReadFloats("quantile levels", levels);
                int skipSteps = reader.ReadInt32("input skip steps", 0, EncoderSpec.MaxWidth);
                bool covariates = kind == ForecastWithCovariatesKind;
                return new ForecastHeadSpec
                {
                    Dropout = dropout,
                    Horizon = horizon,
                    Quantiles = quantiles,
                    InputSkipSteps = skipSteps,
                    FutureCovariates = covariates ? reader.ReadInt32("future covariates", 1, EncoderSpec.MaxWidth) : 0,
                    FutureCovariateOffset = covariates ? reader.ReadInt32("future covariate offset", 0, EncoderSpec.MaxWidth) : 0,
                };
            default:
                throw new InvalidDataException($"The model file's network has a head of kind '{kind}', which this version of Microsoft.ML.Lstm does not know.");
        }
    }

    /// <summary>Whether there are flags, then each flag (a CRF's constraints; none means all allowed).</summary>
    private static void WriteFlags(ModelSectionWriter writer, bool[]? flags)
    {
        writer.WriteBoolean(flags is not null);
        foreach (bool flag in flags ?? [])
            writer.WriteBoolean(flag);
    }

    /// <summary>Reads what <see cref="WriteFlags"/> wrote, <paramref name="count"/> flags, checking the section holds them before allocating.</summary>
    private static bool[]? ReadFlags(ModelSectionReader reader, string what, int count)
    {
        if (!reader.ReadBoolean($"whether there are {what}"))
            return null;
        reader.EnsureHolds(what, count, 1);
        var flags = new bool[count];
        for (int i = 0; i < count; i++)
            flags[i] = reader.ReadBoolean(what);
        return flags;
    }

    /// <summary>Each parameter's name and shape, then the values of all but those in <paramref name="compressed"/>.</summary>
    private static void WriteParameters(ModelSectionWriter writer, ParameterStore<float> store, bool head, HashSet<string>? compressed)
    {
        List<ParameterView> views = store.Views.Where(view => view.Name.StartsWith(HeadPrefix, StringComparison.Ordinal) == head).ToList();
        writer.WriteInt32(views.Count);
        foreach (ParameterView view in views)
        {
            writer.WriteString(view.Name);
            writer.WriteInt32(view.Shape.Length);
            foreach (int dimension in view.Shape)
                writer.WriteInt32(dimension);
        }
        foreach (ParameterView view in views)
        {
            if (compressed is null || !compressed.Contains(view.Name))
                writer.WriteFloats(store.Value(view));
        }
    }

    /// <summary>Checks the section's list of parameters against the network's, then reads each one's values into place (but those in <paramref name="compressed"/>).</summary>
    private static void ReadParameters(ModelSectionReader reader, ParameterStore<float> store, bool head, HashSet<string>? compressed)
    {
        List<ParameterView> expected = store.Views.Where(view => view.Name.StartsWith(HeadPrefix, StringComparison.Ordinal) == head).ToList();
        int count = reader.ReadInt32("parameter count", 0, store.Views.Count);
        if (count != expected.Count)
            throw new InvalidDataException($"The model file's section '{reader.Name}' lists {count} parameters; the architecture has {expected.Count}.");
        Span<int> shape = stackalloc int[MaxRank];
        foreach (ParameterView view in expected)
        {
            string name = reader.ReadString("parameter name", MaxNameLength);
            int rank = reader.ReadInt32("parameter rank", 1, MaxRank);
            for (int d = 0; d < rank; d++)
                shape[d] = reader.ReadInt32("parameter dimension", 1, int.MaxValue);
            if (name != view.Name || !shape[..rank].SequenceEqual(view.Shape))
            {
                throw new InvalidDataException(
                    $"The model file's parameter '{name}' [{string.Join(", ", shape[..rank].ToArray())}] does not match the architecture's '{view.Name}' [{string.Join(", ", view.Shape)}].");
            }
        }
        foreach (ParameterView view in expected)
        {
            if (compressed is null || !compressed.Contains(view.Name))
                reader.ReadFloats(view.Name, store.Value(view));
        }
        reader.ExpectEnd();
    }

    private static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
                return i;
        }
        return -1;
    }

    /// <summary>Builds and validates a spec read from a file, turning a rejected size into <see cref="InvalidDataException"/>.</summary>
    private static NetworkSpec Checked(Func<NetworkSpec> read)
    {
        NetworkSpec spec = read();
        try
        {
            spec.Validate();
        }
        catch (ArgumentException error)
        {
            throw new InvalidDataException($"The model file's network architecture is invalid: {error.Message}", error);
        }
        return spec;
    }
}
