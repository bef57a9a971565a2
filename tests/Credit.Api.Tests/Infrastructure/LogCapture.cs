namespace Credit.Api.Tests.Infrastructure;

/// <summary>Every log line a host writes, as "category level message exception", for tests of what reaches the logs.</summary>
public sealed class LogCapture : Microsoft.Extensions.Logging.ILoggerProvider
{
    public readonly System.Collections.Concurrent.ConcurrentQueue<string> Lines = new();
    public Microsoft.Extensions.Logging.ILogger CreateLogger(string category) => new Logger(this, category);
    public void Dispose() { }

    private sealed class Logger(LogCapture capture, string category) : Microsoft.Extensions.Logging.ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel level) => true;
        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel level, Microsoft.Extensions.Logging.EventId id, TState state,
            Exception? error, Func<TState, Exception?, string> format) =>
            capture.Lines.Enqueue($"{category} {level} {format(state, error)} {error}");
    }
}
