namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// Builds networks from the trained weights of another, copied by parameter name: the featurizer of a trained
/// network (its encoder, and its pooling when that has weights, under a <see cref="PooledFeaturesHead{T}"/>), the
/// forward language model of a (bi)directional one (under a <see cref="StepSoftmaxHead{T}"/>, so it can generate a
/// step at a time), and a new network's encoder started from a pretrained one. A copy gives the same bits: the
/// networks then compute with the same weights through the same code. A featurizer or forward model of a compressed network
/// scores with its compressed weights too (<see cref="WeightCompression"/>); a new network started from a pretrained
/// encoder gets its float weights only, since training changes them.
/// </summary>
internal static class EncoderTransplant
{
    private const string HeadPrefix = "head.";

    /// <summary>A network of <paramref name="source"/>'s encoder under a featurizing head pooling by <paramref name="modes"/>.</summary>
    public static SequenceNetwork<float> Featurizer(SequenceNetwork<float> source, PoolingMode[] modes)
    {
        var spec = new NetworkSpec(source.Spec.Encoder, new PooledFeaturesHeadSpec { Modes = [.. modes] });
        var network = SequenceNetwork<float>.CreateForLoading(spec, threads: 1);
        Copy(source.Parameters, network.Parameters, includeHead: true);
        source.Parameters.Compression?.AttachMatchingTo(network.Parameters);
        return network;
    }

    /// <summary>
    /// The forward model of a language model trained under a <see cref="LanguageModelHead{T}"/>: its one-directional
    /// encoder (embedding and forward layers) and its next-token softmax, as a <see cref="StepSoftmaxHead{T}"/>; an
    /// adaptive softmax stays a one-directional <see cref="LanguageModelHead{T}"/>, whose predictions are log-probabilities.
    /// </summary>
    public static SequenceNetwork<float> ForwardLanguageModel(SequenceNetwork<float> languageModel)
    {
        if (languageModel.Spec.Head is not LanguageModelHeadSpec head || languageModel.Spec.Encoder.Input != SequenceInputKind.Tokens)
            throw new ArgumentException("The network is not a language model over tokens.", nameof(languageModel));
        var spec = new NetworkSpec(
            languageModel.Spec.Encoder with { Bidirectional = false },
            head.IsAdaptive
                ? head with { Bidirectional = false }
                : new StepSoftmaxHeadSpec { ClassCount = head.OutputSize, Dropout = head.Dropout });
        var network = SequenceNetwork<float>.CreateForLoading(spec, threads: 1);
        Copy(languageModel.Parameters, network.Parameters, includeHead: true);
        languageModel.Parameters.Compression?.AttachMatchingTo(network.Parameters);
        return network;
    }

    /// <summary>
    /// Copies <paramref name="pretrained"/>'s encoder weights into <paramref name="target"/>'s encoder, which must
    /// have the same architecture (the same parameters, each of the same shape), and freezes them when
    /// <paramref name="freeze"/>. The target's head is left as it is.
    /// </summary>
    /// <exception cref="ArgumentException">The encoders differ; the message names the first difference.</exception>
    public static void StartEncoderFrom(SequenceNetwork<float> target, SequenceNetwork<float> pretrained, bool freeze)
    {
        Copy(pretrained.Parameters, target.Parameters, includeHead: false);
        if (freeze)
        {
            foreach (ParameterView view in target.Parameters.Views)
            {
                if (!view.Name.StartsWith(HeadPrefix, StringComparison.Ordinal))
                    target.Parameters.SetFrozen(view, true);
            }
        }
    }

    /// <summary>Copies each of <paramref name="target"/>'s parameters (encoder ones, and head ones when <paramref name="includeHead"/>) from the one of the same name and shape in <paramref name="source"/>.</summary>
    private static void Copy(ParameterStore<float> source, ParameterStore<float> target, bool includeHead)
    {
        foreach (ParameterView view in target.Views)
        {
            if (!includeHead && view.Name.StartsWith(HeadPrefix, StringComparison.Ordinal))
                continue;
            ParameterView? from = source.Views.FirstOrDefault(v => v.Name == view.Name);
            if (from is null)
                throw new ArgumentException($"The trained network has no parameter '{view.Name}' [{string.Join(", ", view.Shape)}].");
            if (!from.Shape.AsSpan().SequenceEqual(view.Shape))
                throw new ArgumentException($"The trained network's parameter '{from.Name}' is [{string.Join(", ", from.Shape)}]; this network's is [{string.Join(", ", view.Shape)}].");
            source.Value(from).CopyTo(target.Value(view));
        }
        target.MarkChanged();
    }
}
