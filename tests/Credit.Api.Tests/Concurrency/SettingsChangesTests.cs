using Credit.Api.Accounts;

namespace Credit.Api.Tests.Concurrency;

/// <summary>Which settings changes refuse a decision's commit: those of what it read, and only real changes.</summary>
public class SettingsChangesTests
{
    private static Task<int> Save(SettingsChanges settings, bool changed, string? group = null) => group is null
        ? settings.ChangePolicy(() => Task.FromResult((1, changed)), CancellationToken.None)
        : settings.ChangeGroup(group, () => Task.FromResult((1, changed)), CancellationToken.None);

    [Fact]
    public async Task A_policy_change_refuses_every_decision_read_before_it_and_none_read_after()
    {
        var settings = new SettingsChanges();
        var (alone, grouped) = (settings.Read(null), settings.Read("g1"));
        await Save(settings, changed: true);
        settings.Holds(alone).ShouldBeFalse();
        settings.Holds(grouped).ShouldBeFalse();
        settings.Holds(settings.Read("g1")).ShouldBeTrue();
    }

    [Fact]
    public async Task A_group_change_refuses_only_that_groups_decisions()
    {
        var settings = new SettingsChanges();
        var (alone, inG1, inG2) = (settings.Read(null), settings.Read("g1"), settings.Read("g2"));
        await Save(settings, changed: true, group: "g1");
        settings.Holds(inG1).ShouldBeFalse();
        (settings.Holds(alone), settings.Holds(inG2)).ShouldBe((true, true));
    }

    [Fact]
    public async Task A_save_that_changes_nothing_refuses_nothing_and_one_that_fails_counts()
    {
        var settings = new SettingsChanges();
        var read = settings.Read("g1");
        await Save(settings, changed: false);
        await Save(settings, changed: false, group: "g1");
        settings.Holds(read).ShouldBeTrue();
        await Should.ThrowAsync<InvalidOperationException>(() =>
            settings.ChangeGroup<int>("g1", () => throw new InvalidOperationException("failed after its commit?"), CancellationToken.None));
        settings.Holds(read).ShouldBeFalse();
    }

    [Fact]
    public async Task A_change_waits_for_the_commit_in_progress()
    {
        var settings = new SettingsChanges();
        var turn = await settings.Turn(CancellationToken.None);
        var change = Save(settings, changed: true);
        await Task.Delay(100);
        change.IsCompleted.ShouldBeFalse();
        turn.Dispose();
        (await change).ShouldBe(1);
    }

    /// <summary>Refused more often than a decision tries (settings changing many times a second): a 409 to retry, not a 500.</summary>
    [Fact]
    public void A_decision_refused_to_the_last_attempt_is_a_conflict()
    {
        AccountStore.IsConflict(new SettingsChangedException()).ShouldBeTrue();
    }
}
