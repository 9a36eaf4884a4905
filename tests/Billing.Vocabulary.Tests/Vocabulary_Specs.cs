namespace Billing.Vocabulary.Tests;

public class When_a_failure_names_its_queue
{
    [Theory]
    [InlineData(ConsumerEndpoints.GenerateInvoice, Stages.Generate)]
    [InlineData(ConsumerEndpoints.RenderFinalizedInvoice, Stages.Render)]
    [InlineData(ConsumerEndpoints.RenderInvoicePdf, Stages.Render)]
    [InlineData(ConsumerEndpoints.InvoicePdfRendered, Stages.Email)]
    [InlineData(ConsumerEndpoints.ResendInvoiceEmail, Stages.Email)]
    [InlineData(ConsumerEndpoints.SyncInvoice, Stages.Sync)]
    [InlineData(ConsumerEndpoints.PushInvoiceToStripe, Stages.Stripe)]
    public void Takes_the_stage_from_the_table(string queue, string stage)
    {
        Assert.Equal(stage, ConsumerEndpoints.StageOf(queue));
        Assert.Contains(queue, ConsumerEndpoints.Of(stage));
    }

    [Theory]
    [InlineData(ConsumerEndpoints.RenderCreditNote)]
    [InlineData(ConsumerEndpoints.PushCreditNoteToStripe)]
    [InlineData(ConsumerEndpoints.PostPayment)]
    [InlineData("stripe-audit")]
    [InlineData("render-mail-ledger-sync")]
    [InlineData("GENERATE-INVOICE")]
    [InlineData("")]
    [InlineData(null)]
    public void Guesses_nothing_from_words_in_a_name(string? queue)
    {
        Assert.Null(ConsumerEndpoints.StageOf(queue));
    }

    [Fact]
    public void Has_an_endpoint_for_every_stage()
    {
        Assert.All(Stages.All, stage => Assert.NotEmpty(ConsumerEndpoints.Of(stage)));
        Assert.Equal([0, 1, 2, 3, 4, 5], new[] { Stages.Generate, Stages.Render, Stages.Email, Stages.Sync, Stages.Stripe, "other" }.Select(Stages.Order));
    }
}

public class When_line_kinds_and_email_states_are_read
{
    [Theory]
    [InlineData("base_fee", true)]
    [InlineData("usage", true)]
    [InlineData("charge", true)]
    [InlineData("tier", false)]
    public void Bills_every_kind_but_tier(string kind, bool billable)
    {
        Assert.True(InvoiceLineKinds.IsKnown(kind));
        Assert.Equal(billable, InvoiceLineKinds.IsBillable(kind));
    }

    [Theory]
    [InlineData("discount")]
    [InlineData("Usage")]
    [InlineData(null)]
    public void Knows_no_other_kind(string? kind)
    {
        Assert.False(InvoiceLineKinds.IsKnown(kind));
        Assert.Contains("base_fee, usage, tier, charge", InvoiceLineKinds.UnknownMessage(kind));
    }

    [Theory]
    [InlineData(EmailDeliveryStates.Failed, true, true)]
    [InlineData(EmailDeliveryStates.MissingPdf, true, true)]
    [InlineData(EmailDeliveryStates.Suppressed, false, true)]
    [InlineData(EmailDeliveryStates.InvalidAddress, false, true)]
    [InlineData(EmailDeliveryStates.Sent, false, false)]
    [InlineData(EmailDeliveryStates.Accepted, false, false)]
    [InlineData(EmailDeliveryStates.Pending, false, false)]
    [InlineData(EmailDeliveryStates.Sending, false, false)]
    public void Tells_a_retryable_failure_from_a_decision(string state, bool retryable, bool notSent)
    {
        Assert.Equal(retryable, EmailDeliveryStates.IsRetryable(state));
        Assert.Equal(notSent, EmailDeliveryStates.IsNotSent(state));
        Assert.Equal(notSent, EmailDeliveryStates.NotSent.Contains(state));
    }
}
