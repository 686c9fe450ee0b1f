package io.netpoll.benchmarks.soak;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class RssPlotTests {

    @Test
    void writesAPngWithTheRssLineDrawn(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("rss.png");
        RssPlot.write(png, "test", SoakReportTests.samples(), 12, 60);
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isEqualTo(RssPlot.WIDTH);
        assertThat(img.getHeight()).isEqualTo(RssPlot.HEIGHT);
        assertThat(Files.size(png)).isLessThan(100_000);
        int rssBlue = 0x1f77b4;
        long blue = 0;
        for (int x = 0; x < img.getWidth(); x++) {
            for (int y = 0; y < img.getHeight(); y++) {
                if ((img.getRGB(x, y) & 0xffffff) == rssBlue) {
                    blue++;
                }
            }
        }
        assertThat(blue).as("pixels of the RSS line").isGreaterThan(500);
    }

    @Test
    void stepsAreOneTwoOrFiveTimesAPowerOfTen() {
        assertThat(RssPlot.niceStep(0.7)).isEqualTo(1);
        assertThat(RssPlot.niceStep(1.5)).isEqualTo(2);
        assertThat(RssPlot.niceStep(33)).isEqualTo(50);
        assertThat(RssPlot.niceStep(80)).isEqualTo(100);
        assertThat(RssPlot.niceStep(0)).isEqualTo(1);
    }
}
