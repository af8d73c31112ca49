package org.clubchat.support;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One headless Chromium (Debian's {@code chromium} and {@code chromedriver}, given by path so Selenium
 * never downloads anything) with a fresh profile, and the page's own controls as a person uses them.
 */
public final class Browser implements AutoCloseable {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(15);
    /** Short enough to see a state that lasts a quarter of a second, such as a reconnect countdown. */
    private static final Duration POLL = Duration.ofMillis(50);

    private final ChromeDriver driver;
    private final Path profile;

    public Browser(URI page) {
        assertTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "the browser tests need Debian's chromium and chromium-driver: sudo apt-get install chromium chromium-driver");
        try {
            profile = Files.createTempDirectory("clubchat-chromium");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile()).addArguments(
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1100,760", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
        driver = new ChromeDriver(service, options);
        driver.get(page.toString());
    }

    public WebDriver driver() {
        return driver;
    }

    /** Waits for the condition; an element the page re-rendered while it was read is looked up again at the next poll. */
    public <T> T await(String what, Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, WAIT).pollingEvery(POLL).withMessage(what)
                .ignoring(StaleElementReferenceException.class).until(condition);
    }

    public Object script(String javascript, Object... arguments) {
        return ((JavascriptExecutor) driver).executeScript(javascript, arguments);
    }

    public WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    public List<WebElement> findAll(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    public String state() {
        return find("#state").getAttribute("data-state");
    }

    public void awaitState(String state) {
        await("connection state " + state + " (is " + state() + ")", d -> state.equals(state()));
    }

    /** Types the name and connects, as a person would. */
    public void connectAs(String name) {
        find("#name").clear();
        find("#name").sendKeys(name, Keys.ENTER);
        awaitState("online");
    }

    public void join(String club) {
        find("#club").sendKeys(club, Keys.ENTER);
        await("joined " + club, d -> memberNames().size() > 0 && club.equals(find("#club-name").getText()));
    }

    /** Types a message and presses Enter, then waits for its ack (the pending mark goes). */
    public void say(String message) {
        find("#message").sendKeys(message, Keys.ENTER);
        await("ack of " + message, d -> findAll("ol.messages:not([hidden]) li.mine[data-seq]").stream()
                .anyMatch(li -> li.findElement(By.cssSelector(".text")).getText().equals(message)));
    }

    /** The member list as shown, read in one script: the page draws it again as presence and counts come. */
    @SuppressWarnings("unchecked")
    public List<String> memberNames() {
        return (List<String>) script("return [...document.querySelectorAll('#members li')].map((li) => li.textContent.trim())");
    }

    /** The texts of the chat messages (not notices) in the club's list, in order. */
    public List<String> messages(String club) {
        return findAll("ol.messages[data-club='" + club + "'] li[data-seq] .text").stream()
                .map(li -> (String) script("return arguments[0].textContent", li)).toList();
    }

    public List<String> notices(String club) {
        return findAll("ol.messages[data-club='" + club + "'] li.notice").stream()
                .map(li -> (String) script("return arguments[0].textContent", li)).toList();
    }

    public void screenshot(Path file) {
        try {
            Files.createDirectories(file.getParent());
            File shot = driver.getScreenshotAs(OutputType.FILE);
            Files.copy(shot.toPath(), file, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        driver.quit();
        try (var files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
