namespace Microsoft.ML.Lstm.Tests.MLNet;

/// <summary>
/// ML.NET wraps what the package throws: loaders run through reflection
/// (<see cref="System.Reflection.TargetInvocationException"/>), and parallel cursors rethrow a
/// worker's failure inside their own ("Splitter/consolidator worker encountered exception").
/// Tests look for the package's own exception along the chain.
/// </summary>
internal static class ExceptionChain
{
    /// <summary>The innermost exception of type <typeparamref name="TException"/>: the wrappers may share the type.</summary>
    public static TException Find<TException>(Exception thrown) where TException : Exception
    {
        TException? innermost = null;
        for (var exception = thrown; exception is not null; exception = exception.InnerException)
        {
            if (exception is TException found)
                innermost = found;
        }
        return innermost ?? throw new Xunit.Sdk.XunitException($"Expected a {typeof(TException).Name} inside the failure, got: {thrown}");
    }
}
