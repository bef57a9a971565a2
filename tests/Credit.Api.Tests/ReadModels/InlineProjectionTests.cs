using System.Reflection;
using Credit.Projections.Directory;
using JasperFx.Events;

namespace Credit.Api.Tests.ReadModels;

/// <summary>
/// Group commit appends most events with its own statement, which runs no inline projection; only the events
/// the directory projection declares in <see cref="AccountDirectoryProjection.Handles"/> go through Marten.
/// A handler added to the projection without being declared would silently stop running.
/// </summary>
public class InlineProjectionTests
{
    [Fact]
    public void The_directory_declares_every_event_it_handles()
    {
        var handled = typeof(AccountDirectoryProjection)
            .GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .SelectMany(m => m.GetParameters())
            .Select(p => p.ParameterType)
            .Where(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IEvent<>))
            .Select(t => t.GetGenericArguments()[0])
            .Distinct()
            .OrderBy(t => t.Name)
            .ToList();

        handled.ShouldNotBeEmpty();
        handled.ShouldBe(AccountDirectoryProjection.Handles.OrderBy(t => t.Name).ToList());
    }
}
