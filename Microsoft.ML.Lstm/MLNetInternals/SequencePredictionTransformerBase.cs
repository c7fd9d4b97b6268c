using Microsoft.ML.Data;
using Microsoft.ML.Lstm.MLNet;
using Microsoft.ML.Lstm.Networks;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Lstm;

/// <summary>
/// Base of the transformers that score sequences with a trained recurrent network and write ML.NET's prediction
/// columns. It reads one feature column (token keys or float steps), runs the network once per row (a <c>Transform</c>
/// cursor: on batches of the rows ahead of it, the same bits), and writes the columns the task describes: scalars,
/// fixed-size vectors, or variable-length vectors of one value or key per step.
/// </summary>
/// <remarks>
/// <para>Shaped like ML.NET's own transformers (<c>ColumnCopyingTransformer</c>, TorchSharp's transformers): a
/// <see cref="RowToRowTransformerBase"/> with a mapper, saved through <c>ModelSaveContext</c> and loaded by a static
/// <c>Create</c> that ML.NET finds through <c>[LoadableClass]</c>. Those are internal to ML.NET, which is why this
/// type lives in <c>MLNetInternals/</c>.</para>
/// <para>A task is a thin subclass: it checks the network's head, lists its <see cref="PredictionColumns"/>, may add
/// extra sections to the model file (<see cref="SaveExtras"/>), and has a <c>*.Loading.cs</c> part with its
/// <c>[LoadableClass]</c>, its <c>VersionInfo</c> and a one-line <c>Create</c> that calls <see cref="Load"/>.</para>
/// </remarks>
public abstract partial class SequencePredictionTransformerBase : RowToRowTransformerBase, ITransformer
{
    /// <summary>The entry of the ML.NET model that holds the one model file (<see cref="SequenceTransformerFile"/>).</summary>
    private const string ModelEntryName = "SequenceModel.bin";

    /// <summary>A transformer over a trained network reading <paramref name="features"/>.</summary>
    /// <exception cref="InvalidDataException">The network does not read what the feature column holds.</exception>
    private protected SequencePredictionTransformerBase(IHostEnvironment env, string registrationName, SequenceModel model, SequenceFeatures features)
        : base(RegisterHost(env, registrationName))
    {
        Host.CheckValue(model, nameof(model));
        Host.CheckValue(features, nameof(features));
        features.Validate();
        features.CheckFits(model.Spec.Encoder);
        Model = model;
        Features = features;
    }

    /// <summary>The column the transformer reads sequences from.</summary>
    public string FeatureColumnName => Features.ColumnName;

    /// <summary>The trained network.</summary>
    internal SequenceModel Model { get; }

    /// <summary>The network that scores rows: <see cref="Model"/> itself unless a task scores with a network derived from it (a featurizer's pooled encoder).</summary>
    private protected virtual SequenceModel ScoringModel => Model;

    /// <summary>What the feature column must hold, and how much of a sequence the network reads.</summary>
    internal SequenceFeatures Features { get; }

    /// <summary>The columns the transformer writes, in order.</summary>
    private protected abstract IReadOnlyList<PredictionColumn> PredictionColumns { get; }

    /// <summary>The model-file version of the concrete transformer (its <c>*.Loading.cs</c> part).</summary>
    private protected abstract VersionInfo GetVersionInfo();

    /// <summary>Adds the task's own sections (e.g. class names) to the model file; read back by its <c>Create</c>.</summary>
    private protected virtual void SaveExtras(ModelFileWriter file)
    {
    }

    /// <summary>
    /// The assembly a model file names for ML.NET to load before it looks for our loaders: the simple name, so a
    /// model saved by one version of the package loads in a later one (each transformer's <c>VersionInfo</c>
    /// decides whether the layout is readable).
    /// </summary>
    private protected static string LoaderAssemblyName { get; } = typeof(SequencePredictionTransformerBase).Assembly.GetName().Name!;

    /// <summary>Outputs per sequence of a network that pools each sequence into one prediction; throws for any other head.</summary>
    /// <param name="task">The task, for the message: "A binary classifier".</param>
    private protected int PooledOutputSize(string task) => Model.Spec.Head is PooledHeadSpec pooled
        ? pooled.OutputSize
        : throw new InvalidDataException($"{task} needs a network that pools each sequence into one prediction; this one predicts per step.");

    /// <summary>
    /// What a transformer's static <c>Create</c> does when ML.NET loads it: checks the entry's version, reads the one
    /// model file, and lets <paramref name="create"/> build the transformer from it (reading its extras).
    /// </summary>
    /// <exception cref="InvalidDataException">The model file is missing, truncated, altered or not ours.</exception>
    private protected static TTransformer Load<TTransformer>(
        IHostEnvironment env, ModelLoadContext ctx, VersionInfo versionInfo, Func<SequenceTransformerFile, TTransformer> create)
        where TTransformer : SequencePredictionTransformerBase
    {
        Contracts.CheckValue(env, nameof(env));
        env.CheckValue(ctx, nameof(ctx));
        CheckLayout(ctx, versionInfo, typeof(TTransformer).Name);
        ctx.CheckAtModel(versionInfo);
        SequenceTransformerFile? file = null;
        if (!ctx.TryLoadBinaryStream(ModelEntryName, reader => file = SequenceTransformerFile.Read(reader.BaseStream)) || file is null)
            throw new InvalidDataException($"The Microsoft.ML.Lstm model is damaged: the entry '{ModelEntryName}' holding the network is missing.");
        return create(file);
    }

    /// <summary>
    /// Refuses an entry of this transformer saved in a layout this version cannot read, naming the transformer and
    /// both layouts. ML.NET's own check (in <c>CheckAtModel</c>) would refuse it too, but its message names ML.NET's
    /// version instead of the package's and prints the wrong pair of version numbers.
    /// </summary>
    private static void CheckLayout(ModelLoadContext ctx, VersionInfo versionInfo, string transformerName)
    {
        ctx.CheckAtModel();
        ModelHeader header = ctx.Header;
        if (header.ModelSignature != versionInfo.ModelSignature)
            return; // Not this transformer's entry: ML.NET's check says so.
        if (header.ModelVerWritten < versionInfo.VerWeCanReadBack)
        {
            throw new InvalidDataException(
                $"This {transformerName} ('{versionInfo.LoaderSignature}') was saved in layout 0x{header.ModelVerWritten:X8} by an earlier version of " +
                $"Microsoft.ML.Lstm; this version reads layout 0x{versionInfo.VerWeCanReadBack:X8} and later. Train and save the model again with this version.");
        }
        if (header.ModelVerReadable > versionInfo.VerWrittenCur)
        {
            throw new InvalidDataException(
                $"This {transformerName} ('{versionInfo.LoaderSignature}') was saved in layout 0x{header.ModelVerWritten:X8} by a later version of " +
                $"Microsoft.ML.Lstm; this version reads layouts up to 0x{versionInfo.VerWrittenCur:X8}. Load it with a later version of the package.");
        }
    }

    private static IHost RegisterHost(IHostEnvironment env, string registrationName)
    {
        Contracts.CheckValue(env, nameof(env));
        return env.Register(registrationName);
    }

    // The publicized reference shows ML.NET's `private protected` members as `protected`, so the
    // overrides say `protected` (CS0507 otherwise); other assemblies still cannot call them, since
    // their types are internal to ML.NET.

    /// <summary>Writes the transformer: its version here, everything else as one model file in its own entry.</summary>
    protected sealed override void SaveModel(ModelSaveContext ctx)
    {
        Host.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel();
        ctx.SetVersionInfo(GetVersionInfo());
        ctx.SaveBinaryStream(ModelEntryName, writer => SequenceTransformerFile.Write(writer.BaseStream, Model, Features, SaveExtras));
    }

    /// <summary>
    /// The prediction columns for every row of <paramref name="input"/>, beside its own columns. A cursor that reads them
    /// scores the rows ahead of itself in batches, on every core (each row gets the same bits as from a
    /// <c>PredictionEngine</c>); the input is read twice for it, once ahead, and must give the same rows each time, as
    /// ML.NET's data views do.
    /// </summary>
    /// <param name="input">Data with the feature column (and, for a tagger that spells its tokens, the character column).</param>
    /// <returns>A data view of the input's columns and the prediction columns.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A column the transformer reads is missing or of the wrong type; the message names it.</exception>
    public new IDataView Transform(IDataView input)
    {
        Host.CheckValue(input, nameof(input));
        IDataTransform rowByRow = MakeDataTransform(input); // checks the input's columns
        DataViewSchema.Column feature = input.Schema[FeatureColumnName];
        DataViewSchema.Column? characters = Features.Characters is SequenceCharacters spelled ? input.Schema[spelled.ColumnName] : null;
        DataViewSchema.Column[] read = characters is DataViewSchema.Column c ? [feature, c] : [feature];
        return new ScoredDataView(input, rowByRow, PredictionColumns, ScoringModel, read, row => ScoringReader(row, feature, characters));
    }

    IDataView ITransformer.Transform(IDataView input) => Transform(input);

    /// <summary>The reader of the sequence in <paramref name="feature"/> (and <paramref name="characters"/>) of the rows of <paramref name="row"/>, when scoring.</summary>
    private SequenceRowReader ScoringReader(DataViewRow row, DataViewSchema.Column feature, DataViewSchema.Column? characters) =>
        characters is null
            ? new SequenceRowReader(row, feature, Features.Input, Features.MaxSequenceLength, scaling: Features.InputScaling, vocabulary: Features.Vocabulary)
            : new SequenceRowReader(row, feature, Features.Input, Features.MaxSequenceLength, characterColumn: characters, characters: Features.Characters);

    /// <summary>Makes the mapper that scores rows of <paramref name="schema"/>.</summary>
    protected sealed override IRowMapper MakeRowMapper(DataViewSchema schema) => new Mapper(this, schema);

    /// <summary>
    /// The schema columns of <paramref name="columns"/> over <paramref name="inputSchema"/>, with the annotations
    /// ML.NET's own scorers put on prediction columns, so that its evaluators and tools which look for "the score
    /// columns of the last trainer" find ours. Class names become the key values of a key column (one key per row or
    /// per step) or the slot names (and training label values) of a fixed-size vector.
    /// </summary>
    internal static DataViewSchema.DetachedColumn[] DetachedColumns(DataViewSchema inputSchema, IReadOnlyList<PredictionColumn> columns)
    {
        uint scoreColumnSetId = checked(inputSchema.GetMaxAnnotationKind(out _, AnnotationUtils.Kinds.ScoreColumnSetId) + 1);
        var detached = new DataViewSchema.DetachedColumn[columns.Count];
        for (int i = 0; i < detached.Length; i++)
            detached[i] = new DataViewSchema.DetachedColumn(columns[i].Name, columns[i].Type, Annotations(columns[i], scoreColumnSetId));
        return detached;
    }

    private static DataViewSchema.Annotations Annotations(PredictionColumn column, uint scoreColumnSetId)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        if (column.Role is PredictionRole role)
        {
            string scoreColumnKind = role.Task switch
            {
                PredictionTask.BinaryClassification => AnnotationUtils.Const.ScoreColumnKind.BinaryClassification,
                PredictionTask.MulticlassClassification => AnnotationUtils.Const.ScoreColumnKind.MulticlassClassification,
                PredictionTask.MultiOutputRegression => AnnotationUtils.Const.ScoreColumnKind.MultiOutputRegression,
                _ => AnnotationUtils.Const.ScoreColumnKind.Regression,
            };
            string scoreValueKind = role.Value switch
            {
                PredictionValue.Score => AnnotationUtils.Const.ScoreValueKind.Score,
                PredictionValue.Probability => AnnotationUtils.Const.ScoreValueKind.Probability,
                _ => AnnotationUtils.Const.ScoreValueKind.PredictedLabel,
            };
            builder.Add(AnnotationUtils.Kinds.ScoreColumnSetId, AnnotationUtils.ScoreColumnSetIdType, (ref uint id) => id = scoreColumnSetId);
            builder.Add(AnnotationUtils.Kinds.ScoreColumnKind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> kind) => kind = scoreColumnKind.AsMemory());
            builder.Add(AnnotationUtils.Kinds.ScoreValueKind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> kind) => kind = scoreValueKind.AsMemory());
        }
        if (column.ClassNames.Count > 0)
        {
            string[] names = [.. column.ClassNames];
            ValueGetter<VBuffer<ReadOnlyMemory<char>>> getNames = (ref VBuffer<ReadOnlyMemory<char>> destination) =>
            {
                var editor = VBufferEditor.Create(ref destination, names.Length);
                for (int i = 0; i < names.Length; i++)
                    editor.Values[i] = names[i].AsMemory();
                destination = editor.Commit();
            };
            if (column.Type.GetItemType() is KeyDataViewType)
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
        if (column.Role?.Value == PredictionValue.Probability)
            builder.Add(AnnotationUtils.Kinds.IsNormalized, BooleanDataViewType.Instance, (ref bool isNormalized) => isNormalized = true);
        return builder.ToAnnotations();
    }

    private sealed partial class Mapper : MapperBase
    {
        private readonly SequencePredictionTransformerBase _transformer;
        private readonly int _featureColumnIndex;
        private readonly int _characterColumnIndex;

        public Mapper(SequencePredictionTransformerBase parent, DataViewSchema inputSchema)
            : base(parent.Host.Register(nameof(Mapper)), inputSchema, parent)
        {
            _transformer = parent;
            _featureColumnIndex = FindFeatureColumn(inputSchema);
            _characterColumnIndex = FindCharacterColumn(inputSchema);
        }

        /// <summary>The index of the tokens' text column, for a network that spells its tokens; −1 otherwise.</summary>
        private int FindCharacterColumn(DataViewSchema inputSchema)
        {
            if (_transformer.Features.Characters is not SequenceCharacters characters)
                return -1;
            string name = characters.ColumnName;
            if (!inputSchema.TryGetColumnIndex(name, out int index))
                throw Host.ExceptSchemaMismatch(nameof(inputSchema), "character", name);
            var type = inputSchema[index].Type;
            if (!CharacterColumn.HoldsText(type))
                throw Host.ExceptSchemaMismatch(nameof(inputSchema), "character", name, "vector of String (each token as written)", type.ToString());
            return index;
        }

        private int FindFeatureColumn(DataViewSchema inputSchema)
        {
            string name = _transformer.FeatureColumnName;
            var input = _transformer.Features.Input;
            if (_transformer.Features.Vocabulary is not null)
            {
                if (!inputSchema.TryGetColumnIndex(name, out int textIndex))
                    throw Host.ExceptSchemaMismatch(nameof(inputSchema), "feature", name);
                if (inputSchema[textIndex].Type is not TextDataViewType)
                    throw Host.ExceptSchemaMismatch(nameof(inputSchema), "feature", name, "String (text)", inputSchema[textIndex].Type.ToString());
                return textIndex;
            }
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

        protected override DataViewSchema.DetachedColumn[] GetOutputColumnsCore() => DetachedColumns(InputSchema, _transformer.PredictionColumns);

        protected override Func<int, bool> GetDependenciesCore(Func<int, bool> activeOutput)
        {
            bool anyOutputActive = false;
            for (int i = 0; i < OutputColumns.Value.Length; i++)
                anyOutputActive |= activeOutput(i);
            return column => anyOutputActive && (column == _featureColumnIndex || column == _characterColumnIndex);
        }

        public override Delegate[] CreateGetters(DataViewRow input, Func<int, bool> activeOutput, out Action? disposer)
        {
            disposer = null;
            IReadOnlyList<PredictionColumn> columns = _transformer.PredictionColumns;
            var getters = new Delegate[columns.Count];
            bool anyActive = false;
            for (int i = 0; i < getters.Length; i++)
                anyActive |= activeOutput(i);
            if (!anyActive)
                return getters; // no output read, so the input columns are not active either
            SequenceRowReader sequence = _transformer.ScoringReader(
                input, input.Schema[_featureColumnIndex], _characterColumnIndex < 0 ? null : input.Schema[_characterColumnIndex]);
            var predictions = new RowPredictions(input, sequence, _transformer.ScoringModel);
            for (int i = 0; i < getters.Length; i++)
            {
                if (activeOutput(i))
                    getters[i] = columns[i].CreateGetter(predictions);
            }
            return getters;
        }

        protected override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action disposer)
            => throw new InvalidOperationException("Getters are made together by CreateGetters, which shares one network run per row.");

        protected override void SaveModel(ModelSaveContext ctx) => _transformer.SaveModel(ctx);
    }
}
