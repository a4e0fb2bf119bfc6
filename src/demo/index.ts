export { DEMO_PASSWORD, DEMO_USERS, DEPARTMENTS } from './city.js';
export { HttpFeed, InProcessFeed, runLive } from './live.js';
export { DemoRefusedError, demoServices, loadDemo, recordFeed, type DemoOptions, type DemoReport, type DemoServices } from './loader.js';
