package io.netpoll.benchmarks.soak;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Draws the application's memory over the soak as a PNG, with nothing but {@code java.awt}
 * (run headless: {@code -Djava.awt.headless=true}): RSS, heap used, heap committed and netpoll's
 * buffer memory in MiB
 * against minutes since the load started, with the end of the warm-up and of the load marked.
 *
 * <p>Stateless; {@link #write} throws {@link IOException} if the file cannot be written.
 */
final class RssPlot {

    static final int WIDTH = 900;
    static final int HEIGHT = 450;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 64;
    private static final int BOTTOM = 50;
    private static final double MIB = 1024.0 * 1024.0;

    private record Line(String label, Color color, Stroke stroke, ToDoubleFunction<Sample> value) {}

    private RssPlot() {}

    static void write(Path file, String title, List<Sample> samples, double warmupSeconds, double loadSeconds)
            throws IOException {
        ImageIO.write(draw(title, samples, warmupSeconds, loadSeconds), "png", file.toFile());
    }

    static BufferedImage draw(String title, List<Sample> samples, double warmupSeconds, double loadSeconds) {
        List<Line> lines = List.of(
                new Line(
                        "RSS",
                        new Color(0x1f77b4),
                        new BasicStroke(2f),
                        s -> s.rssBytes() < 0 ? Double.NaN : s.rssBytes() / MIB),
                new Line(
                        "heap committed",
                        new Color(0x7f7f7f),
                        dashed(1.5f),
                        s -> s.app().heapCommitted() / MIB),
                new Line(
                        "heap used",
                        new Color(0xff7f0e),
                        new BasicStroke(1.5f),
                        s -> s.app().heapUsed() / MIB),
                new Line(
                        "netpoll buffers (used + pooled)",
                        new Color(0x2ca02c),
                        new BasicStroke(1.5f),
                        s -> (s.app().netpollUsed() + s.app().netpollPooled()) / MIB));
        double xMin = 0;
        double xMax = 1;
        double yMax = 1;
        for (Sample s : samples) {
            xMin = Math.min(xMin, s.seconds() / 60);
            xMax = Math.max(xMax, s.seconds() / 60);
            for (Line l : lines) {
                double v = l.value.applyAsDouble(s);
                if (!Double.isNaN(v)) {
                    yMax = Math.max(yMax, v);
                }
            }
        }
        double yStep = niceStep(yMax / 6);
        yMax = Math.ceil(yMax * 1.05 / yStep) * yStep;
        double xStep = niceStep((xMax - xMin) / 10);

        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            Frame f = new Frame(xMin, xMax, yMax);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            FontMetrics fm = g.getFontMetrics();
            // grid and axis labels
            for (double y = 0; y <= yMax + 1e-9; y += yStep) {
                int py = f.py(y);
                g.setColor(new Color(0xe5e5e5));
                g.drawLine(LEFT, py, WIDTH - RIGHT, py);
                g.setColor(Color.DARK_GRAY);
                String label = fmt(y);
                g.drawString(label, LEFT - 6 - fm.stringWidth(label), py + fm.getAscent() / 2 - 1);
            }
            for (double x = Math.ceil(xMin / xStep) * xStep; x <= xMax + 1e-9; x += xStep) {
                int px = f.px(x);
                g.setColor(new Color(0xe5e5e5));
                g.drawLine(px, TOP, px, HEIGHT - BOTTOM);
                g.setColor(Color.DARK_GRAY);
                String label = fmt(x);
                g.drawString(label, px - fm.stringWidth(label) / 2, HEIGHT - BOTTOM + fm.getAscent() + 4);
            }
            g.setColor(Color.BLACK);
            g.drawRect(LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
            String xLabel = "minutes since the load started";
            g.drawString(xLabel, LEFT + (WIDTH - LEFT - RIGHT - fm.stringWidth(xLabel)) / 2, HEIGHT - 12);
            Graphics2D rotated = (Graphics2D) g.create();
            rotated.rotate(-Math.PI / 2);
            rotated.drawString("MiB", -(TOP + (HEIGHT - TOP - BOTTOM) / 2), 18);
            rotated.dispose();
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString(title, LEFT, 22);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            // phase markers
            g.setStroke(dashed(1f));
            g.setColor(Color.GRAY);
            marker(g, f, warmupSeconds / 60, "warm-up end");
            g.setColor(new Color(0xd62728));
            marker(g, f, loadSeconds / 60, "load end");
            // series
            for (Line l : lines) {
                g.setColor(l.color);
                g.setStroke(l.stroke);
                Path2D path = new Path2D.Double();
                boolean open = false;
                for (Sample s : samples) {
                    double v = l.value.applyAsDouble(s);
                    if (Double.isNaN(v)) {
                        open = false;
                        continue;
                    }
                    double px = f.px(s.seconds() / 60);
                    double py = f.py(v);
                    if (open) {
                        path.lineTo(px, py);
                    } else {
                        path.moveTo(px, py);
                        open = true;
                    }
                }
                g.draw(path);
            }
            // legend: one row between the title and the plot, clear of the lines
            int lx = LEFT;
            int ly = TOP - 14;
            for (Line l : lines) {
                g.setColor(l.color);
                g.setStroke(l.stroke);
                g.drawLine(lx, ly - 4, lx + 28, ly - 4);
                g.setColor(Color.BLACK);
                g.drawString(l.label, lx + 34, ly);
                lx += 34 + fm.stringWidth(l.label) + 24;
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    private static void marker(Graphics2D g, Frame f, double x, String label) {
        if (x <= f.xMin || x > f.xMax) {
            return;
        }
        int px = f.px(x);
        g.drawLine(px, TOP, px, HEIGHT - BOTTOM);
        int width = g.getFontMetrics().stringWidth(label);
        boolean fitsRight = px + 4 + width <= WIDTH - RIGHT;
        g.drawString(label, fitsRight ? px + 4 : px - 4 - width, HEIGHT - BOTTOM - 6);
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    static double niceStep(double raw) {
        if (!(raw > 0)) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        double m = raw / p;
        return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
    }

    private static String fmt(double v) {
        return Math.abs(v - Math.rint(v)) < 1e-9 ? Long.toString(Math.round(v)) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static Stroke dashed(float width) {
        return new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f);
    }

    private record Frame(double xMin, double xMax, double yMax) {
        int px(double x) {
            return (int) Math.round(LEFT + (x - xMin) / (xMax - xMin) * (WIDTH - LEFT - RIGHT));
        }

        int py(double y) {
            return (int) Math.round(HEIGHT - BOTTOM - y / yMax * (HEIGHT - TOP - BOTTOM));
        }
    }
}
