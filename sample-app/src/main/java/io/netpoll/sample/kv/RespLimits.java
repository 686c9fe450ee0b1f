package io.netpoll.sample.kv;

/**
 * Limits that bound what one client can make the server hold, with Redis's defaults.
 *
 * @param maxBulkLength      longest bulk string in a request ({@code proto-max-bulk-len}, 512 MiB);
 *                           also the longest value {@code APPEND} may build
 * @param maxArrayLength     most arguments in one multibulk request (Redis accepts up to
 *                           {@code INT_MAX} and relies on the query buffer limit; the default here
 *                           is 1,048,576)
 * @param maxInlineLength    longest inline command line, and longest {@code *<n>} / {@code $<n>}
 *                           header line without its CRLF ({@code PROTO_INLINE_MAX_SIZE}, 64 KiB)
 * @param maxQueryBytes      most bytes one partly received command may occupy, counting the
 *                           arguments received so far and the unread bytes
 *                           ({@code client-query-buffer-limit}, 1 GiB)
 */
public record RespLimits(int maxBulkLength, int maxArrayLength, int maxInlineLength, long maxQueryBytes) {

    public static final int DEFAULT_MAX_BULK_LENGTH = 512 * 1024 * 1024;
    public static final int DEFAULT_MAX_ARRAY_LENGTH = 1024 * 1024;
    public static final int DEFAULT_MAX_INLINE_LENGTH = 64 * 1024;
    public static final long DEFAULT_MAX_QUERY_BYTES = 1024L * 1024 * 1024;

    public static final RespLimits DEFAULTS = new RespLimits(
            DEFAULT_MAX_BULK_LENGTH, DEFAULT_MAX_ARRAY_LENGTH, DEFAULT_MAX_INLINE_LENGTH, DEFAULT_MAX_QUERY_BYTES);

    public RespLimits {
        if (maxBulkLength < 1 || maxArrayLength < 1 || maxInlineLength < 1 || maxQueryBytes < 1) {
            throw new IllegalArgumentException("limits must be positive: " + maxBulkLength + ", " + maxArrayLength
                    + ", " + maxInlineLength + ", " + maxQueryBytes);
        }
        if (maxBulkLength > Integer.MAX_VALUE - 2) {
            throw new IllegalArgumentException("maxBulkLength too large: " + maxBulkLength);
        }
    }
}
