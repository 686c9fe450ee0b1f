package io.netpoll.sample.kv;

/**
 * A command failed with a Redis error reply. The message is the reply text without the leading
 * {@code -} and the trailing CRLF, e.g. {@code ERR syntax error}. Stackless: it is control flow
 * for error replies, not a bug report.
 */
public final class KvException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public static final KvException NOT_INTEGER = new KvException("ERR value is not an integer or out of range");
    public static final KvException SYNTAX = new KvException("ERR syntax error");
    public static final KvException OVERFLOW = new KvException("ERR increment or decrement would overflow");
    public static final KvException TOO_BIG =
            new KvException("ERR string exceeds maximum allowed size (proto-max-bulk-len)");

    public KvException(String reply) {
        super(reply, null, false, false);
    }

    static KvException invalidExpire(String command) {
        return new KvException("ERR invalid expire time in '" + command + "' command");
    }
}
