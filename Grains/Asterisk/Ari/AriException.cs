using System.Net;

namespace AiAgent.Grains.Asterisk.Ari;

/// <summary>An ARI request answered with a status we do not expect; <see cref="AriMessage"/> is Asterisk's <c>message</c>.</summary>
public sealed class AriException : Exception
{
    /// <summary>Creates the exception for <paramref name="operation"/> answered with <paramref name="statusCode"/>.</summary>
    public AriException(string operation, HttpStatusCode statusCode, string? ariMessage, Exception? innerException = null)
        : base($"ARI {operation} answered {(int)statusCode} {statusCode}{(ariMessage is null ? string.Empty : ": " + ariMessage)}", innerException)
    {
        Operation = operation;
        StatusCode = statusCode;
        AriMessage = ariMessage;
    }

    /// <summary>What was asked, e.g. <c>POST /channels/{id}/answer</c> (ids, never credentials).</summary>
    public string Operation { get; }

    /// <summary>The HTTP status Asterisk answered.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The <c>message</c> of Asterisk's <c>{"message":…}</c> body, when there was one.</summary>
    public string? AriMessage { get; }
}
