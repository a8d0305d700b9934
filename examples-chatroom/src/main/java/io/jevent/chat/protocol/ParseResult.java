package io.jevent.chat.protocol;

/**
 * What {@link CommandParser#parse} returns: either a valid {@link Command} or the
 * {@link ProtocolError} to send back. Use {@code instanceof} to tell them apart.
 */
public sealed interface ParseResult permits Command, ProtocolError {
}
