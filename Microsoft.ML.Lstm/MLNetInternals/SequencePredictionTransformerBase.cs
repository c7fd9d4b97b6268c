using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Lstm;

/// <summary>
/// Base of the transformers that score sequences with a trained recurrent network and write
/// ML.NET's prediction columns. It reads one feature column (token keys or float steps), runs the
/// network once per row, and lets the task (binary, multiclass, regression) turn the network's
/// raw outputs into columns.
/// </summary>
/// <remarks>
/// Shaped like ML.NET's own transformers (<c>ColumnCopyingTransformer</c>, TorchSharp's
/// transformers): a <see cref="RowToRowTransformerBase"/> with a mapper, saved through
/// <c>ModelSaveContext</c> and loaded by a static <c>Create</c> that ML.NET finds through
/// <c>[LoadableClass]</c>. Those are internal to ML.NET, which is why this type lives in
/// <c>MLNetInternals/</c>; the task subclasses only describe their columns.
/// </remarks>
public abstract class SequencePredictionTransformerBase : RowToRowTransformerBase
{
    /// <summary>The name of the model-file entry that holds the network.</summary>
    private const string NetworkStreamName = "SequenceNetwork.bin";

    /// <summary>The column the transformer reads sequences from.</summary>
    public string FeatureColumnName { get; }

    /// <summary>The trained network.</summary>
    internal ISequenceScorer Scorer { get; }

    /// <summary>What the feature column must hold.</summary>
    internal SequenceInput Input { get; }

    private protected SequencePredictionTransformerBase(
        IHostEnvironment env, string registrationName, ISequenceScorer scorer, string featureColumnName, SequenceInput input)
        : base(RegisterHost(env, registrationName))
    {
        Host.CheckValue(scorer, nameof(scorer));
        Host.CheckNonEmpty(featureColumnName, nameof(featureColumnName));
        input.Validate();
        Scorer = scorer;
        FeatureColumnName = featureColumnName;
        Input = input;
    }

    /// <summary>Reads the part every task shares; the subclass reads its own part next from <c>ctx.Reader</c>.</summary>
    private protected SequencePredictionTransformerBase(
        IHostEnvironment env, string registrationName, ModelLoadContext ctx, VersionInfo versionInfo)
        : base(RegisterHost(env, registrationName))
    {
        Host.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel(versionInfo);

        // *** Binary format ***
        // string: feature column name
        // int: input kind (Networks.SequenceInputKind: 0 token keys, 1 float steps)
        // int: features per step
        // ulong: token key count
        // int: network output size
        // (the task's part, written by SaveTaskState)
        // entry SequenceNetwork.bin: the network, framed and checksummed by ChecksummedPayload
        FeatureColumnName = ctx.LoadNonEmptyString();
        var kind = (SequenceInputKind)ctx.Reader.ReadInt32();
        int featuresPerStep = ctx.Reader.ReadInt32();
        ulong tokenKeyCount = ctx.Reader.ReadUInt64();
        Input = new SequenceInput(kind, featuresPerStep, tokenKeyCount);
        Input.Validate();
        int outputSize = ctx.Reader.ReadInt32();

        ISequenceScorer? scorer = null;
        if (!ctx.TryLoadBinaryStream(NetworkStreamName, reader => scorer = ChecksummedPayload.Read(reader)) || scorer is null)
            throw new InvalidDataException($"The Microsoft.ML.Lstm model file is damaged: the entry '{NetworkStreamName}' holding the network is missing.");
        if (scorer.OutputSize != outputSize)
            throw new InvalidDataException($"The Microsoft.ML.Lstm model file is damaged: the network has {scorer.OutputSize} outputs, the transformer expects {outputSize}.");
        Scorer = scorer;
    }

    private static IHost RegisterHost(IHostEnvironment env, string registrationName)
    {
        Contracts.CheckValue(env, nameof(env));
        return env.Register(registrationName);
    }

    /// <summary>
    /// The assembly a model file names for ML.NET to load before it looks for our loaders: the
    /// simple name, so a model saved by one version of the package loads in a later one (the
    /// <c>VersionInfo</c> of each transformer decides whether the format is readable).
    /// </summary>
    private protected static string LoaderAssemblyName { get; } = typeof(SequencePredictionTransformerBase).Assembly.GetName().Name!;

    /// <summary>The model-file version of the concrete transformer.</summary>
    private protected abstract VersionInfo GetVersionInfo();

    /// <summary>Writes what the task adds to the shared part (e.g. class names); read back by the loading constructor.</summary>
    private protected virtual void SaveTaskState(BinaryWriter writer)
    {
    }

    /// <summary>The columns the task writes.</summary>
    private protected abstract DataViewSchema.DetachedColumn[] MakeOutputColumns(DataViewSchema inputSchema);

    /// <summary>A getter for output column <paramref name="outputColumn"/>, reading the row's network outputs from <paramref name="outputs"/>.</summary>
    private protected abstract Delegate MakeOutputGetter(int outputColumn, RowNetworkOutputs outputs);

    // The publicized reference shows ML.NET's `private protected` members as `protected`, so the
    // overrides say `protected` (CS0507 otherwise); other assemblies still cannot call them, since
    // their types are internal to ML.NET.

    /// <summary>Writes the transformer and its network into a model file.</summary>
    protected sealed override void SaveModel(ModelSaveContext ctx)
    {
        Host.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());

        // See the loading constructor for the layout.
        ctx.SaveNonEmptyString(FeatureColumnName);
        ctx.Writer.Write((int)Input.Kind);
        ctx.Writer.Write(Input.FeaturesPerStep);
        ctx.Writer.Write(Input.TokenKeyCount);
        ctx.Writer.Write(Scorer.OutputSize);
        SaveTaskState(ctx.Writer);
        ctx.SaveBinaryStream(NetworkStreamName, writer => ChecksummedPayload.Write(writer, Scorer));
    }

    /// <summary>Makes the mapper that scores rows of <paramref name="schema"/>.</summary>
    protected sealed override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

    /// <summary>The task whose prediction columns a transformer writes (ML.NET's "score column kind").</summary>
    private protected enum PredictionTask
    {
        BinaryClassification,
        MulticlassClassification,
        Regression,
    }

    /// <summary>What a prediction column holds (ML.NET's "score value kind").</summary>
    private protected enum PredictionValue
    {
        Score,
        Probability,
        PredictedLabel,
    }

    /// <summary>
    /// The annotations ML.NET's own scorers put on prediction columns, so that tools which look
    /// for "the score columns of the last trainer" find ours. <paramref name="classNames"/>, when
    /// given, become the slot names of a score vector or the key values of a predicted label.
    /// </summary>
    private protected static DataViewSchema.Annotations PredictionAnnotations(
        DataViewSchema inputSchema, PredictionTask task, PredictionValue value, IReadOnlyList<string>? classNames = null)
    {
        string scoreColumnKind = task switch
        {
            PredictionTask.BinaryClassification => AnnotationUtils.Const.ScoreColumnKind.BinaryClassification,
            PredictionTask.MulticlassClassification => AnnotationUtils.Const.ScoreColumnKind.MulticlassClassification,
            _ => AnnotationUtils.Const.ScoreColumnKind.Regression,
        };
        string scoreValueKind = value switch
        {
            PredictionValue.Score => AnnotationUtils.Const.ScoreValueKind.Score,
            PredictionValue.Probability => AnnotationUtils.Const.ScoreValueKind.Probability,
            _ => AnnotationUtils.Const.ScoreValueKind.PredictedLabel,
        };
        uint scoreColumnSetId = checked(inputSchema.GetMaxAnnotationKind(out _, AnnotationUtils.Kinds.ScoreColumnSetId) + 1);

        var builder = new DataViewSchema.Annotations.Builder();
        builder.Add(AnnotationUtils.Kinds.ScoreColumnSetId, AnnotationUtils.ScoreColumnSetIdType, (ref uint id) => id = scoreColumnSetId);
        builder.Add(AnnotationUtils.Kinds.ScoreColumnKind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> kind) => kind = scoreColumnKind.AsMemory());
        builder.Add(AnnotationUtils.Kinds.ScoreValueKind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> kind) => kind = scoreValueKind.AsMemory());
        if (classNames is { Count: > 0 })
        {
            string[] names = [.. classNames];
            ValueGetter<VBuffer<ReadOnlyMemory<char>>> getNames = (ref VBuffer<ReadOnlyMemory<char>> destination) =>
            {
                var editor = VBufferEditor.Create(ref destination, names.Length);
                for (int i = 0; i < names.Length; i++)
                    editor.Values[i] = names[i].AsMemory();
                destination = editor.Commit();
            };
            if (value == PredictionValue.PredictedLabel)
            {
                builder.AddKeyValues(names.Length, TextDataViewType.Instance, getNames);
            }
            else
            {
                builder.AddSlotNames(names.Length, getNames);
                // As ML.NET's multiclass scorers: the training label's values, which GetOutputSchema promises.
                builder.Add(AnnotationUtils.Kinds.TrainingLabelValues, new VectorDataViewType(TextDataViewType.Instance, names.Length), getNames);
            }
        }
        if (value == PredictionValue.Probability)
            builder.Add(AnnotationUtils.Kinds.IsNormalized, BooleanDataViewType.Instance, (ref bool isNormalized) => isNormalized = true);
        return builder.ToAnnotations();
    }

    /// <summary>
    /// The network's raw outputs for the row a cursor is on, computed once per row however many
    /// output columns read them.
    /// </summary>
    private protected sealed class RowNetworkOutputs
    {
        private readonly DataViewRow _row;
        private readonly Action<float[]> _scoreCurrentRow;
        private readonly float[] _outputs;
        private long _scoredPosition = -1;

        internal RowNetworkOutputs(DataViewRow row, int outputSize, Action<float[]> scoreCurrentRow)
        {
            _row = row;
            _outputs = new float[outputSize];
            _scoreCurrentRow = scoreCurrentRow;
        }

        /// <summary>The outputs of the current row [network output size]; valid until the cursor moves.</summary>
        public ReadOnlySpan<float> Current
        {
            get
            {
                if (_scoredPosition != _row.Position)
                {
                    _scoreCurrentRow(_outputs);
                    _scoredPosition = _row.Position;
                }
                return _outputs;
            }
        }
    }

    private sealed class Mapper : MapperBase
    {
        private readonly SequencePredictionTransformerBase _transformer;
        private readonly int _featureColumnIndex;

        public Mapper(SequencePredictionTransformerBase parent, DataViewSchema inputSchema)
            : base(parent.Host.Register(nameof(Mapper)), inputSchema, parent)
        {
            _transformer = parent;
            _featureColumnIndex = FindFeatureColumn(inputSchema);
        }

        private int FindFeatureColumn(DataViewSchema inputSchema)
        {
            string name = _transformer.FeatureColumnName;
            var input = _transformer.Input;
            string expected = input.Kind == SequenceInputKind.Tokens
                ? $"vector of Key<UInt32, 0-{input.TokenKeyCount - 1}> (token keys)"
                : $"vector of Single ({input.FeaturesPerStep} per step)";
            if (!inputSchema.TryGetColumnIndex(name, out int index))
                throw Host.ExceptSchemaMismatch(nameof(inputSchema), "feature", name);

            var type = inputSchema[index].Type;
            bool matches = type is VectorDataViewType vector && input.Kind switch
            {
                SequenceInputKind.Tokens => vector.ItemType is KeyDataViewType key && key.RawType == typeof(uint) && key.Count == input.TokenKeyCount,
                SequenceInputKind.Features => vector.ItemType == NumberDataViewType.Single,
                _ => false,
            };
            if (!matches)
                throw Host.ExceptSchemaMismatch(nameof(inputSchema), "feature", name, expected, type.ToString());
            return index;
        }

        protected override DataViewSchema.DetachedColumn[] GetOutputColumnsCore() => _transformer.MakeOutputColumns(InputSchema);

        protected override Func<int, bool> GetDependenciesCore(Func<int, bool> activeOutput)
        {
            bool anyOutputActive = false;
            for (int i = 0; i < OutputColumns.Value.Length; i++)
                anyOutputActive |= activeOutput(i);
            return column => anyOutputActive && column == _featureColumnIndex;
        }

        public override Delegate[] CreateGetters(DataViewRow input, Func<int, bool> activeOutput, out Action? disposer)
        {
            disposer = null;
            var outputs = new RowNetworkOutputs(input, _transformer.Scorer.OutputSize, MakeScorer(input));
            var getters = new Delegate[OutputColumns.Value.Length];
            for (int i = 0; i < getters.Length; i++)
            {
                if (activeOutput(i))
                    getters[i] = _transformer.MakeOutputGetter(i, outputs);
            }
            return getters;
        }

        protected override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action disposer)
            => throw new InvalidOperationException("Getters are made together by CreateGetters, which shares one network run per row.");

        protected override void SaveModel(ModelSaveContext ctx) => _transformer.SaveModel(ctx);

        /// <summary>Reads the current row's sequence, checks it, and runs the network on it.</summary>
        private Action<float[]> MakeScorer(DataViewRow input)
        {
            var scorer = _transformer.Scorer;
            var sequence = new SequenceRowReader(input, input.Schema[_featureColumnIndex], _transformer.Input, maxSequenceLength: 0);
            int featuresPerStep = _transformer.Input.FeaturesPerStep;
            return outputs =>
            {
                sequence.Read();
                if (_transformer.Input.Kind == SequenceInputKind.Tokens)
                    scorer.Score(sequence.Tokens, outputs);
                else
                    scorer.Score(sequence.Features, featuresPerStep, outputs);
            };
        }
    }
}
