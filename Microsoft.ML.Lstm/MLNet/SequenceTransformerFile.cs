using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// What a sequence transformer writes into its ML.NET model: one <see cref="ModelFile"/> (one format version, one
/// CRC-32, read as untrusted input) holding the network and the transformer around it.
/// </summary>
/// <remarks>
/// Sections:
/// <code>
/// "transformer"          the feature column (<see cref="SequenceFeatures"/>): name · input kind · features per step ·
///                        token key count · maximum sequence length
/// "network.spec"         }
/// "network.encoder"      } the network (<see cref="SequenceModel.Save"/>)
/// "network.head"         }
/// "network.compressed"   } (only for compressed weights: WeightPrecisionExtensions; the file is then format version 2)
/// "transformer.characters"  when the network spells its tokens (<see cref="SequenceCharacters"/>): the text column's
///                        name · word shapes · the known characters (count · code points)
/// "transformer.input-scaling"  when float steps are standardized (<see cref="Standardization"/>): count (features
///                        per step) · means · standard deviations; absent in files written before it (no scaling)
/// "transformer.text"     when the feature column holds raw text (<see cref="TextVocabulary"/>): lower case · keep
///                        punctuation · count · each word, in token-id order; absent for keys and floats, and in files
///                        written before text input existed
/// "transformer.classes"  the task's class names, when it has them (multiclass): count (0 or K) · each name
/// "transformer.*"        other extras of a task (see each transformer)
/// </code>
/// ML.NET's own <c>VersionInfo</c> around it says which transformer wrote the entry and in which layout.
/// </remarks>
internal sealed class SequenceTransformerFile
{
    /// <summary>The section holding the feature column's description.</summary>
    public const string TransformerSection = "transformer";

    /// <summary>The section holding the class names of a classifier.</summary>
    public const string ClassNamesSection = "transformer.classes";

    /// <summary>The section holding the character column's description, for a network that spells its tokens.</summary>
    public const string CharactersSection = "transformer.characters";

    /// <summary>The section holding the standardization of float steps, when the network reads them standardized.</summary>
    public const string InputScalingSection = "transformer.input-scaling";

    /// <summary>The section holding the words a text feature column is read as.</summary>
    public const string TextSection = "transformer.text";

    /// <summary>Longest class name a model file may hold, in UTF-8 bytes.</summary>
    private const int MaxClassNameBytes = 1 << 16;

    private readonly ModelFile file;

    private SequenceTransformerFile(ModelFile file, SequenceModel model, SequenceFeatures features)
    {
        this.file = file;
        Model = model;
        Features = features;
    }

    /// <summary>The network.</summary>
    public SequenceModel Model { get; }

    /// <summary>What the transformer reads.</summary>
    public SequenceFeatures Features { get; }

    /// <summary>Writes the transformer's sections, the network's, then the task's extras, as one model file.</summary>
    public static void Write(Stream stream, SequenceModel model, SequenceFeatures features, Action<ModelFileWriter> writeExtras)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(features);
        var file = new ModelFileWriter();
        features.Write(file.Section(TransformerSection));
        model.Save(file);
        features.Characters?.Write(file.Section(CharactersSection));
        features.InputScaling?.Write(file.Section(InputScalingSection));
        features.Vocabulary?.Write(file.Section(TextSection));
        writeExtras(file);
        file.WriteTo(stream);
    }

    /// <summary>Reads what <see cref="Write"/> wrote and checks that the network reads what the feature column holds.</summary>
    /// <exception cref="InvalidDataException">The bytes are not such a model file, or are truncated, altered or malformed.</exception>
    public static SequenceTransformerFile Read(Stream stream)
    {
        ModelFile file = ModelFile.Read(stream, maxBytes: Array.MaxLength);
        SequenceFeatures features = SequenceFeatures.Read(file.Open(TransformerSection));
        if (file.Contains(CharactersSection))
            features = features with { Characters = SequenceCharacters.Read(file.Open(CharactersSection)) };
        if (file.Contains(InputScalingSection))
        {
            if (features.Input.Kind != SequenceInputKind.Features)
                throw new InvalidDataException($"The model file's section '{InputScalingSection}' standardizes float steps, but the feature column '{features.ColumnName}' holds token keys.");
            features = features with { InputScaling = Standardization.Read(file.Open(InputScalingSection), features.Input.FeaturesPerStep, "features") };
        }
        if (file.Contains(TextSection))
            features = features with { Vocabulary = TextVocabulary.Read(file.Open(TextSection)) };
        features.Validate();
        SequenceModel model = SequenceModel.Load(file);
        features.CheckFits(model.Spec.Encoder);
        return new SequenceTransformerFile(file, model, features);
    }

    /// <summary>Writes a classifier's class names (none, or one per class) into their section.</summary>
    public static void WriteClassNames(ModelFileWriter file, IReadOnlyList<string> classNames)
    {
        ModelSectionWriter section = file.Section(ClassNamesSection);
        section.WriteInt32(classNames.Count);
        foreach (string name in classNames)
            section.WriteString(name);
    }

    /// <summary>The class names <see cref="WriteClassNames"/> wrote; the caller checks their count against its classes.</summary>
    /// <exception cref="InvalidDataException">The section is missing or malformed.</exception>
    public IReadOnlyList<string> ReadClassNames()
    {
        ModelSectionReader section = file.Open(ClassNamesSection);
        int count = section.ReadCount("class names", StepSoftmaxHeadSpec.MaxClassCount, sizeof(int));
        var names = new string[count];
        for (int i = 0; i < count; i++)
            names[i] = section.ReadString("a class name", MaxClassNameBytes);
        section.ExpectEnd();
        return names;
    }

    /// <summary>Whether the file holds <paramref name="section"/> (a task's optional extra).</summary>
    public bool Contains(string section) => file.Contains(section);

    /// <summary>A reader of a task's own extra section.</summary>
    /// <exception cref="InvalidDataException">The file has no such section.</exception>
    public ModelSectionReader Open(string section) => file.Open(section);
}
